/**
 * What a Claude CLI credentials document means, and how a rotated pair goes into it. Pure, so
 * the file and Keychain sources share one interpretation and one never-downgrade write plan.
 */
import { DowngradeRefusedError } from '../errors.js';
import type { ClaudeAiOauth, ClaudeCliCredentialsDocument } from './claude-cli-schema.js';
import type { ClaudeCliReadResult } from './claude-cli-source.js';
import { CLAUDE_CODE_REFRESH_TOKEN_EXPIRY } from './claude-code-protocol.js';
import { clampExpiresAt, MAX_DATE_MS } from './expiry-bounds.js';
import { toCredentialView } from './fingerprint.js';
import { decideCredentialWrite } from './freshness.js';
import { serializeLike } from './json-document.js';
import type { OAuthCredential } from './types.js';

/**
 * The CLI's `claudeAiOauth` as our credential, its numbers clamped as the store's are: a
 * missing `expiresAt` reads as 0 (unknown: never fresh), a negative one as 0, and one beyond
 * the longest believable lifetime (`1e300`, `1e400` = Infinity) as `now` + that lifetime
 * ({@link clampExpiresAt}); a `refreshTokenExpiresAt` that is not a positive date is dropped,
 * and one beyond the last date JavaScript can hold is cut to it.
 *
 * @param now - epoch ms.
 */
export function toOAuthCredential(oauth: ClaudeAiOauth, now: number): OAuthCredential {
  const credential: OAuthCredential = {
    accessToken: oauth.accessToken,
    refreshToken: oauth.refreshToken,
    expiresAt: clampExpiresAt(oauth.expiresAt ?? 0, now),
  };
  const refreshTokenExpiresAt = oauth.refreshTokenExpiresAt;
  if (typeof refreshTokenExpiresAt === 'number' && refreshTokenExpiresAt > 0)
    credential.refreshTokenExpiresAt = Math.min(refreshTokenExpiresAt, MAX_DATE_MS);
  if (oauth.scopes) credential.scopes = [...oauth.scopes];
  if (typeof oauth.subscriptionType === 'string') credential.subscriptionType = oauth.subscriptionType;
  if (typeof oauth.rateLimitTier === 'string') credential.rateLimitTier = oauth.rateLimitTier;
  return credential;
}

/**
 * What the CLI's document holds (`now`, epoch ms, bounds its expiry). A login is blank (logged out) only when both its tokens are
 * empty, as the CLI leaves it after its own refresh failed; an expired login, or one without
 * `expiresAt`, whose refresh token is set is a login that can still be refreshed.
 */
export function interpretClaudeCliDocument(
  document: ClaudeCliCredentialsDocument,
  now: number,
): ClaudeCliReadResult {
  if (!document.claudeAiOauth) return { status: 'missing' };
  const credential = toOAuthCredential(document.claudeAiOauth, now);
  if (credential.accessToken === '' && credential.refreshToken === '') return { status: 'blank' };
  return { status: 'ok', credential, meta: toCredentialView(credential, 'cli') };
}

/**
 * The document with the rotated pair in place: only the token fields change (`accessToken`,
 * `refreshToken`, `expiresAt`; `scopes` only when the answer carried them, as Claude Code
 * 2.1.328 replaces them with the answer's; `refreshTokenExpiresAt` as the CLI computes it, see
 * {@link nextRefreshTokenExpiry}). Every other field, and key order, is kept.
 *
 * @param now - epoch ms, for the CLI's believability bound on `refreshTokenExpiresAt`.
 */
export function withRotatedCredential(
  document: ClaudeCliCredentialsDocument,
  rotated: OAuthCredential,
  now: number = Date.now(),
): ClaudeCliCredentialsDocument {
  const stored = document.claudeAiOauth;
  const refreshTokenExpiresAt = nextRefreshTokenExpiry(stored?.refreshTokenExpiresAt, rotated, now);
  const oauth = {
    ...stored,
    accessToken: rotated.accessToken,
    refreshToken: rotated.refreshToken,
    expiresAt: rotated.expiresAt,
    ...(rotated.scopes ? { scopes: [...rotated.scopes] } : {}),
    refreshTokenExpiresAt,
  };
  // The CLI drops one it does not believe; JSON would drop an undefined value too.
  if (refreshTokenExpiresAt === undefined) delete oauth.refreshTokenExpiresAt;
  return { ...document, claudeAiOauth: oauth };
}

/** Whether Claude Code 2.1.328 believes a `refreshTokenExpiresAt` (epoch ms) at `now`. */
function isBelievedRefreshTokenExpiry(value: unknown, now: number): value is number {
  const { minEpochMs, maxAheadMs } = CLAUDE_CODE_REFRESH_TOKEN_EXPIRY;
  return typeof value === 'number' && value >= minEpochMs && value <= now + maxAheadMs;
}

/**
 * `refreshTokenExpiresAt` (epoch ms) after a rotation, as Claude Code 2.1.328 computes it on a
 * refresh (read from its bundled JavaScript): the earlier of the stored one and the answer's
 * (`refresh_token_expires_in`), so a login's end never moves later; the stored one when the
 * answer's is missing or unbelievable; undefined (the field is dropped) when the stored one is
 * missing or unbelievable, since only a sign-in sets it from nothing.
 *
 * @param stored - the document's `refreshTokenExpiresAt` as found (any JSON value).
 * @param now - epoch ms.
 */
export function nextRefreshTokenExpiry(
  stored: unknown,
  rotated: OAuthCredential,
  now: number = Date.now(),
): number | undefined {
  if (!isBelievedRefreshTokenExpiry(stored, now)) return undefined;
  const answered = rotated.refreshTokenExpiresAt;
  return isBelievedRefreshTokenExpiry(answered, now) ? Math.min(stored, answered) : stored;
}

export type ClaudeCliWriteBackOutcome =
  /** The rotated pair is now in the CLI's store. */
  | 'written'
  /** It was there already. */
  | 'unchanged'
  /** The CLI's store holds a pair someone else wrote since: kept (compare-and-swap refused). */
  | 'keptNewer';

/**
 * Claude Code's compare-and-swap save: the rotated pair goes in only when the stored
 * `refreshToken` is `""` (blanked) or the one just spent; otherwise the newer pair on disk is
 * kept. The text to store, or null with the reason nothing is written.
 */
export function planClaudeCliCasWriteBack(input: {
  document: ClaudeCliCredentialsDocument | null;
  previousText: string | undefined;
  rotated: OAuthCredential;
  /** The refresh token spent to obtain `rotated`. */
  spent: string;
}): { text: string; outcome: 'written' } | { text: null; outcome: 'unchanged' | 'keptNewer' } {
  const stored = input.document?.claudeAiOauth;
  if (!input.document || !stored) return { text: null, outcome: 'keptNewer' };
  if (
    stored.accessToken === input.rotated.accessToken &&
    stored.refreshToken === input.rotated.refreshToken
  ) {
    return { text: null, outcome: 'unchanged' };
  }
  if (stored.refreshToken !== '' && stored.refreshToken !== input.spent)
    return { text: null, outcome: 'keptNewer' };
  const text = serializeLike(withRotatedCredential(input.document, input.rotated), input.previousText);
  return { text, outcome: 'written' };
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
  const stored = input.document?.claudeAiOauth
    ? toOAuthCredential(input.document.claudeAiOauth, input.now)
    : null;
  const decision = decideCredentialWrite(input.rotated, stored, input.now, input.marginMs, {
    replacesSpent: input.replacesSpent,
  });
  if (decision.action === 'refuse') throw new DowngradeRefusedError(input.target, decision.reason);
  if (decision.action === 'noop') return null;
  return serializeLike(withRotatedCredential(input.document ?? {}, input.rotated), input.previousText);
}
