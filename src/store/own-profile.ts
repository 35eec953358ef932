/**
 * The profile we own, read out of a store document as plain values: the credential with its
 * expiry clamped to a believable range (a stored `1e16` must not crash a command with
 * "Invalid time value" nor schedule a refresh in the year 318857), and the usage numbers as
 * finite numbers. Other profiles are not looked at.
 */
import { clampExpiresAt } from '../credentials/expiry-bounds.js';
import type { OAuthCredential } from '../credentials/types.js';
import {
  type AuthProfile,
  type AuthProfilesDocument,
  isOAuthProfile,
  parseOwnEntries,
} from './auth-profiles-schema.js';
import { type LastFailure, readLastFailure } from './last-failure.js';
import { toNumber } from './lossless-json.js';
import type { ProfileUsage } from './types.js';

const USAGE_FIELDS = ['errorCount', 'cooldownUntil', 'lastFailureAt', 'lastUsed'] as const;

/** Our entries as values: the raw profile (checked), its credential if oauth, its usage numbers. */
export interface OwnProfileView {
  profile: AuthProfile | undefined;
  credential: OAuthCredential | null;
  /** Only finite numbers; absent fields stay absent. */
  usage: ProfileUsage;
  /** The persisted last failure, read defensively (null when absent or malformed). */
  lastFailure: LastFailure | null;
}

/**
 * Checks and reads `profiles[profileId]` and `usageStats[profileId]`.
 * @throws {CredentialParseError} when one of them is malformed (naming the field).
 */
export function readOwnProfile(
  document: AuthProfilesDocument,
  profileId: string,
  file: string,
  now: number,
): OwnProfileView {
  const { profile, usage: stats } = parseOwnEntries(document, profileId, file);
  const credential = isOAuthProfile(profile)
    ? {
        accessToken: profile.access,
        refreshToken: profile.refresh,
        expiresAt: clampExpiresAt(toNumber(profile.expires), now),
      }
    : null;
  const usage: ProfileUsage = {};
  for (const field of USAGE_FIELDS) {
    const value = toNumber(stats?.[field]);
    if (Number.isFinite(value)) usage[field] = value;
  }
  // The runtime's failure record (written by oauth-recovery; a malformed value reads as absent).
  const lastFailure = readLastFailure(stats?.lastFailure, now) ?? null;
  if (lastFailure) usage.lastFailure = lastFailure;
  if (stats?.refreshTokenDead === true) usage.refreshTokenDead = true;
  const deadRefreshToken = stats?.deadRefreshToken;
  if (typeof deadRefreshToken === 'string' && /^[0-9a-f]{12}$/.test(deadRefreshToken))
    usage.deadRefreshToken = deadRefreshToken;
  return { profile, credential, usage, lastFailure };
}
