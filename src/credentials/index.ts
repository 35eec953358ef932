/**
 * Credentials: the in-memory shape, the freshness gate every write path uses, and the Claude
 * Code CLI's login (file or macOS Keychain) as a source to read from and write back to.
 */
export {
  interpretClaudeCliDocument,
  planClaudeCliWriteBack,
  toOAuthCredential,
  withRotatedCredential,
} from './claude-cli-document.js';
export { type ClaudeCliFileSourceOptions, createClaudeCliFileSource } from './claude-cli-file-source.js';
export {
  type ClaudeCliKeychainSourceOptions,
  createClaudeCliKeychainSource,
} from './claude-cli-keychain-source.js';
export {
  CLAUDE_CREDENTIALS_FILE_NAME,
  CLAUDE_KEYCHAIN_SERVICE,
  type ClaudeCliPathOptions,
  claudeCredentialsPath,
  claudeKeychainAccount,
  claudeKeychainService,
  resolveClaudeConfigDir,
} from './claude-cli-paths.js';
export {
  type ClaudeAiOauth,
  ClaudeAiOauthSchema,
  type ClaudeCliCredentialsDocument,
  ClaudeCliCredentialsSchema,
} from './claude-cli-schema.js';
export {
  type ClaudeCliReadResult,
  type ClaudeCliSource,
  type ClaudeCliSourceOptions,
  createClaudeCliSource,
  requireClaudeCliCredential,
} from './claude-cli-source.js';
export { fingerprintToken, toCredentialView } from './fingerprint.js';
export {
  type CredentialWriteDecision,
  DEFAULT_FRESHNESS_MARGIN_MS,
  decideCredentialWrite,
  isCredentialBlank,
  isCredentialFresher,
  isCredentialUsable,
  toFreshnessView,
  type WriteOptions,
} from './freshness.js';
export { fieldPath, parseJsonDocument, serializeLike } from './json-document.js';
export type { CredentialOrigin, CredentialView, OAuthCredential } from './types.js';
