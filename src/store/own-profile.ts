/**
 * The profile we own, read out of a store document as plain values: the credential with its
 * expiry clamped to a believable range (a stored `1e16` must not crash a command with
 * "Invalid time value" nor schedule a refresh in the year 318857), and the usage numbers as
 * finite numbers. Other profiles are not looked at.
 */
import { z } from 'zod';
import { clampExpiresAt } from '../credentials/expiry-bounds.js';
import type { OAuthCredential } from '../credentials/types.js';
import { maskSecrets } from '../oauth/mask-secrets.js';
import {
  type AuthProfile,
  type AuthProfilesDocument,
  isOAuthProfile,
  parseOwnEntries,
} from './auth-profiles-schema.js';
import { readLastFailure } from './last-failure.js';
import { toNumber } from './lossless-json.js';
import type { ProfileUsage } from './types.js';

const USAGE_FIELDS = ['errorCount', 'cooldownUntil', 'lastFailureAt', 'lastUsed'] as const;

/**
 * The last failed recovery, as the runtime persists it in `usageStats[profileId].lastFailure`
 * (contract shared with the runtime; cleared on a successful refresh or sync).
 */
export interface LastFailureRecord {
  /** When it happened, epoch ms. */
  at: number;
  /** `permanent`: the server said the refresh token is dead; `transient`: endpoint trouble; `store`: our store failed. */
  kind: 'permanent' | 'transient' | 'store';
  httpStatus?: number;
  oauthError?: string;
  contentType?: string;
  causeCode?: string;
  /** Secret-free one-line description (masked again here, cut to 300 characters). */
  message: string;
}

const code = z.string().regex(/^[A-Za-z0-9_./+-]{1,64}$/);
const LastFailureSchema = z.object({
  at: z.number().finite(),
  kind: z.enum(['permanent', 'transient', 'store']),
  httpStatus: z.number().int().min(100).max(599).optional().catch(undefined),
  oauthError: code.optional().catch(undefined),
  contentType: code.optional().catch(undefined),
  causeCode: code.optional().catch(undefined),
  message: z.string().catch(''),
});

/** A stored `lastFailure`, or null when absent or not of the contract's shape (never throws). */
export function parseLastFailure(value: unknown): LastFailureRecord | null {
  const result = LastFailureSchema.safeParse(value);
  if (!result.success) return null;
  const record: LastFailureRecord = {
    ...result.data,
    message: maskSecrets(result.data.message).slice(0, 300),
  };
  for (const key of ['httpStatus', 'oauthError', 'contentType', 'causeCode'] as const) {
    if (record[key] === undefined) delete record[key];
  }
  return record;
}

/** Our entries as values: the raw profile (checked), its credential if oauth, its usage numbers. */
export interface OwnProfileView {
  profile: AuthProfile | undefined;
  credential: OAuthCredential | null;
  /** Only finite numbers; absent fields stay absent. */
  usage: ProfileUsage;
  /** The persisted last failure, read defensively (null when absent or malformed). */
  lastFailure: LastFailureRecord | null;
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
  const lastFailure = readLastFailure(stats?.lastFailure);
  if (lastFailure) usage.lastFailure = lastFailure;
  if (stats?.refreshTokenDead === true) usage.refreshTokenDead = true;
  return { profile, credential, usage, lastFailure: parseLastFailure(stats?.lastFailure) };
}
