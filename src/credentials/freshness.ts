/**
 * Freshness of whole credentials, on top of THE rule in machines/freshness.ts (which works on
 * metadata). The only addition: a credential with an empty refresh token is blank too, since
 * it cannot be refreshed and is what the CLI leaves behind after its own refresh failed.
 * `decideCredentialWrite` is what every write path (store, CLI file, Keychain) asks before it
 * replaces a credential: never wipe, never downgrade.
 */
import {
  DEFAULT_FRESHNESS_MARGIN_MS,
  type FreshnessView,
  isBlank,
  isFresher,
  isUsable,
} from '../../machines/freshness.js';
import { fingerprintToken } from './fingerprint.js';
import type { OAuthCredential } from './types.js';

export { DEFAULT_FRESHNESS_MARGIN_MS };

/** The metadata view the shared rule understands; an unrefreshable credential reads as blank. */
export function toFreshnessView(credential: OAuthCredential | null | undefined): FreshnessView | null {
  if (!credential) return null;
  const refreshable = typeof credential.refreshToken === 'string' && credential.refreshToken !== '';
  return {
    fingerprint: refreshable ? fingerprintToken(credential.accessToken ?? '') : '',
    expiresAt: credential.expiresAt,
  };
}

export function isCredentialBlank(credential: OAuthCredential | null | undefined): boolean {
  return isBlank(toFreshnessView(credential));
}

/** Non-blank and valid for longer than the margin. */
export function isCredentialUsable(
  credential: OAuthCredential | null | undefined,
  now: number,
  marginMs = DEFAULT_FRESHNESS_MARGIN_MS,
): boolean {
  return isUsable(toFreshnessView(credential), now, marginMs);
}

/**
 * Is `candidate` better than `current`? Usable (non-blank, refreshable, unexpired beyond the
 * margin), and either `current` is gone/blank/expired or it is a different token expiring later.
 */
export function isCredentialFresher(
  candidate: OAuthCredential | null,
  current: OAuthCredential | null,
  now: number,
  marginMs = DEFAULT_FRESHNESS_MARGIN_MS,
): boolean {
  return isFresher(toFreshnessView(candidate), toFreshnessView(current), now, marginMs);
}

export interface WriteOptions {
  /**
   * The refresh token just spent to obtain the candidate. If the stored credential still holds
   * it, that credential is dead (rotation kills the old pair) and the candidate replaces it even
   * when its expiry is not later (same millisecond, or a clock that ran ahead) and even when it
   * is not usable by the freshness margin (a short-lived token): the server rotated, so the
   * candidate is the only live login. A blank candidate is still refused.
   */
  replacesSpent?: string;
}

export type CredentialWriteDecision =
  | { action: 'write' }
  /** The same token is already stored with the same or a later expiry: nothing to do. */
  | { action: 'noop' }
  | { action: 'refuse'; reason: string };

/**
 * The never-wipe/never-downgrade gate. Writes only a fresher credential; rewriting the stored
 * token itself is a harmless no-op; everything else is refused with a reason (no token value).
 */
export function decideCredentialWrite(
  candidate: OAuthCredential,
  current: OAuthCredential | null,
  now: number,
  marginMs = DEFAULT_FRESHNESS_MARGIN_MS,
  options: WriteOptions = {},
): CredentialWriteDecision {
  if (isCredentialBlank(candidate)) return { action: 'refuse', reason: 'the new credential is blank' };
  // The stored pair died with the rotation that produced the candidate: whatever its expiry
  // says (a 30-s lifetime, the same millisecond, a clock that ran ahead, even already past),
  // the candidate holds the only live refresh token. Checked before usability, so a short-lived
  // pair is stored rather than refused after its predecessor was spent; checked against the
  // stored refresh token, so a pair someone else wrote meanwhile is still protected.
  if (replacesSpentPair(current, options.replacesSpent)) return { action: 'write' };
  if (!isCredentialUsable(candidate, now, marginMs)) {
    return { action: 'refuse', reason: 'the new credential is expired or about to expire' };
  }
  if (!current || isCredentialBlank(current)) return { action: 'write' };
  if (candidate.accessToken === current.accessToken) {
    return candidate.expiresAt >= current.expiresAt
      ? { action: 'noop' }
      : { action: 'refuse', reason: 'the same token with an earlier expiry' };
  }
  if (isCredentialFresher(candidate, current, now, marginMs)) return { action: 'write' };
  return {
    action: 'refuse',
    reason:
      candidate.expiresAt === current.expiresAt
        ? 'the stored credential expires at the same time (not fresher)'
        : 'the stored credential expires later',
  };
}

/** The stored pair is the one whose refresh token was just spent (or nothing live is stored). */
function replacesSpentPair(current: OAuthCredential | null, spent: string | undefined): boolean {
  if (spent === undefined || spent === '') return false;
  return !current || isCredentialBlank(current) || current.refreshToken === spent;
}
