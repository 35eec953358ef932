/**
 * oauth-recovery: keeps an agent's Anthropic OAuth login alive unattended.
 *
 *   const auth = createAuthRecovery();
 *   await auth.start();
 *   const reply = await auth.withAuth((token) => callAnthropic(token));
 */
export {
  type CredentialView,
  createRecoveryMachine,
  DEFAULT_POLICY,
  type RecoveryEmitted,
  type RecoveryEvent,
  type RecoveryPolicy,
} from '../machines/index.js';
export {
  type ClaudeCliReadResult,
  type ClaudeCliSource,
  createClaudeCliSource,
} from './credentials/claude-cli-source.js';
export { fingerprintToken } from './credentials/fingerprint.js';
export type { CredentialMeta, OAuthCredential } from './credentials/types.js';
export {
  CooldownError,
  CredentialFileError,
  CredentialParseError,
  DowngradeRefusedError,
  InsecureTokenUrlError,
  KeychainError,
  LockCompromisedError,
  LockTimeoutError,
  LoggedOutError,
  LoginRequiredError,
  OAuthRecoveryError,
  type OAuthRecoveryErrorCode,
  RefreshError,
  type RefreshFailureDetails,
  type RefreshFailureKind,
  StoppedError,
} from './errors.js';
export {
  combineInspectors,
  connectStatelyInspector,
  type OfflineInspector,
  type OfflineInspectorOptions,
  type StatelyInspector,
  type StatelyInspectorOptions,
  sanitizeInspectionEvent,
  startOfflineInspector,
} from './inspect/index.js';
export type { InspectOption } from './inspect/types.js';
export { createLogger, type Logger } from './logging/logger.js';
export { isAuthRejection } from './oauth/auth-rejection.js';
export { createOAuthClient, type OAuthClient } from './oauth/refresh-client.js';
export { DEFAULT_TOKEN_URL } from './oauth/token-url.js';
export {
  type AuthRecovery,
  type AuthRecoveryEvent,
  type AuthRecoveryOptions,
  type AuthRecoverySnapshot,
  createAuthRecovery,
  DEFAULT_PROFILE_ID,
  type RecoveryMode,
  type RecoveryStateName,
} from './runtime/index.js';
export { resolveDefaultStorePath } from './store/default-store-path.js';
export { createFileProfileStore } from './store/file-profile-store.js';
export type { ProfileStore, ProfileUsage, StoreUpdate } from './store/types.js';
