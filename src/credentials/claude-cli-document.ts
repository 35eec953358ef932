/**
 * What a Claude CLI credentials document means, and how a rotated pair goes into it. Pure, so
 * the file and Keychain sources share one interpretation and one never-downgrade write plan.
 */
import { DowngradeRefusedError } from '../errors.js';
import type { ClaudeAiOauth, ClaudeCliCredentialsDocument } from './claude-cli-schema.js';
import type { ClaudeCliReadResult } from './claude-cli-source.js';
import { toCredentialView } from './fingerprint.js';
import { decideCredentialWrite, isCredentialBlank } from './freshness.js';
import { serializeLike } from './json-document.js';
import type { OAuthCredential } from './types.js';

export function toOAuthCredential(oauth: ClaudeAiOauth): OAuthCredential {
  const credential: OAuthCredential = {
    accessToken: oauth.accessToken,
    refreshToken: oauth.refreshToken,
    expiresAt: oauth.expiresAt,
  };
  if (oauth.scopes) credential.scopes = [...oauth.scopes];
  if (typeof oauth.subscriptionType === 'string') credential.subscriptionType = oauth.subscriptionType;
  if (typeof oauth.rateLimitTier === 'string') credential.rateLimitTier = oauth.rateLimitTier;
  return credential;
}

export function interpretClaudeCliDocument(document: ClaudeCliCredentialsDocument): ClaudeCliReadResult {
  if (!document.claudeAiOauth) return { status: 'missing' };
  const credential = toOAuthCredential(document.claudeAiOauth);
  if (isCredentialBlank(credential)) return { status: 'blank' };
  return { status: 'ok', credential, meta: toCredentialView(credential, 'cli') };
}

/** The document with the rotated pair in place; every other field, and key order, kept. */
export function withRotatedCredential(
  document: ClaudeCliCredentialsDocument,
  rotated: OAuthCredential,
): ClaudeCliCredentialsDocument {
  return {
    ...document,
    claudeAiOauth: {
      ...document.claudeAiOauth,
      accessToken: rotated.accessToken,
      refreshToken: rotated.refreshToken,
      expiresAt: rotated.expiresAt,
      ...(rotated.scopes ? { scopes: [...rotated.scopes] } : {}),
      ...(rotated.subscriptionType ? { subscriptionType: rotated.subscriptionType } : {}),
      ...(rotated.rateLimitTier ? { rateLimitTier: rotated.rateLimitTier } : {}),
    },
  };
}

/**
 * The text to store for a write-back, or null when the same credential is already there.
 * Throws DowngradeRefusedError when the stored credential is better. A blank stored login (the
 * CLI's failed refresh) is replaced: that is exactly the case write-back exists for.
 */
export function planClaudeCliWriteBack(input: {
  target: string;
  document: ClaudeCliCredentialsDocument | null;
  previousText: string | undefined;
  rotated: OAuthCredential;
  now: number;
  marginMs: number;
  /** The refresh token spent to get `rotated` (see `WriteOptions.replacesSpent`). */
  replacesSpent?: string;
}): string | null {
  const stored = input.document?.claudeAiOauth ? toOAuthCredential(input.document.claudeAiOauth) : null;
  const decision = decideCredentialWrite(input.rotated, stored, input.now, input.marginMs, {
    replacesSpent: input.replacesSpent,
  });
  if (decision.action === 'refuse') throw new DowngradeRefusedError(input.target, decision.reason);
  if (decision.action === 'noop') return null;
  return serializeLike(withRotatedCredential(input.document ?? {}, input.rotated), input.previousText);
}
