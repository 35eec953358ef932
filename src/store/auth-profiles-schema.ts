/**
 * openclaw's `auth-profiles.json`, version 1. The document check is shallow (a version-1
 * object with a `profiles` object): every profile, `order`, `lastGood` and other tools'
 * usage stats are carried through as they are, even when malformed, because they are not
 * ours (issue 9 input 7: someone else's broken profile must not stop our login). The profile
 * we own and its usage stats are checked field by field with {@link parseOwnEntries}, so a
 * broken one is reported by name (`profiles.anthropic:claude-cli.expires`) and never written
 * over; {@link findForeignProblems} lists what is wrong elsewhere, for `status` and `doctor`.
 * Numbers may be `LosslessNumber`s (see lossless-json.ts).
 */
import { z } from 'zod';
import { fieldPath } from '../credentials/json-document.js';
import { CredentialParseError } from '../errors.js';
import { isLosslessNumber, type LosslessNumber } from './lossless-json.js';

/** A JSON number: a `number`, or a `LosslessNumber` when a double cannot hold it exactly. */
const storedNumber = z.custom<number | LosslessNumber>(
  (value) => typeof value === 'number' || isLosslessNumber(value),
  { message: 'number' },
);

export const AUTH_PROFILES_VERSION = 1;

export const OAuthProfileSchema = z.looseObject({
  type: z.literal('oauth'),
  provider: z.string(),
  access: z.string(),
  refresh: z.string(),
  /** Epoch milliseconds (read through `toNumber` and clamped by the store). */
  expires: storedNumber,
  email: z.string().optional(),
});

export const TokenProfileSchema = z.looseObject({
  type: z.literal('token'),
  provider: z.string(),
  token: z.string(),
  expires: storedNumber.optional(),
  email: z.string().optional(),
});

export const ApiKeyProfileSchema = z.looseObject({
  type: z.literal('api_key'),
  provider: z.string(),
  key: z.string().optional(),
  email: z.string().optional(),
});

export type OAuthProfile = z.output<typeof OAuthProfileSchema>;
export type TokenProfile = z.output<typeof TokenProfileSchema>;
export type ApiKeyProfile = z.output<typeof ApiKeyProfileSchema>;
/** A profile of a type this version does not know: kept as it is. */
export type OtherProfile = { type: string; [field: string]: unknown };
export type AuthProfile = OAuthProfile | TokenProfile | ApiKeyProfile | OtherProfile;

const KNOWN_PROFILE_SCHEMAS = new Map<string, z.ZodType>([
  ['oauth', OAuthProfileSchema],
  ['token', TokenProfileSchema],
  ['api_key', ApiKeyProfileSchema],
]);

export const AuthProfileSchema = z
  .looseObject({ type: z.string() })
  .superRefine((profile, ctx) => {
    const schema = KNOWN_PROFILE_SCHEMAS.get(profile.type);
    if (!schema) return;
    const result = schema.safeParse(profile, { reportInput: true });
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue });
  })
  .transform((profile) => profile as AuthProfile);

export const UsageStatsSchema = z.looseObject({
  errorCount: storedNumber.optional(),
  /** Epoch ms; a past value means the cooldown is over (and is cleared). */
  cooldownUntil: storedNumber.optional(),
  lastFailureAt: storedNumber.optional(),
  lastUsed: storedNumber.optional(),
});

export type UsageStats = z.output<typeof UsageStatsSchema>;

/**
 * The document, shallowly: version 1 and a `profiles` object. Entries are `unknown` until
 * {@link parseOwnEntries} checks ours; `usageStats`, when present, must be an object (we write
 * into it), its entries are not checked.
 */
export const AuthProfilesDocumentSchema = z.looseObject({
  version: z.literal(AUTH_PROFILES_VERSION),
  profiles: z.record(z.string(), z.unknown()),
  order: z.unknown().optional(),
  lastGood: z.unknown().optional(),
  usageStats: z.record(z.string(), z.unknown()).optional(),
});

export type AuthProfilesDocument = z.output<typeof AuthProfilesDocumentSchema>;

/** True for a profile (already checked by {@link parseOwnEntries}) of type `oauth`. */
export function isOAuthProfile(profile: AuthProfile | undefined): profile is OAuthProfile {
  return profile?.type === 'oauth';
}

/** Our profile and its usage stats, checked. Absent entries are undefined. */
export interface OwnEntries {
  profile: AuthProfile | undefined;
  usage: UsageStats | undefined;
}

function checked<S extends z.ZodType>(
  schema: S,
  value: unknown,
  at: readonly PropertyKey[],
  file: string,
): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return value as z.output<S>;
  const [first] = result.error.issues;
  const field = fieldPath([...at, ...(first?.path ?? [])]);
  // A custom check carries the expected type as its message (see storedNumber).
  const expected =
    first?.code === 'invalid_type' ? first.expected : first?.code === 'custom' ? first.message : undefined;
  const problem =
    expected === undefined
      ? first?.code === 'invalid_value'
        ? 'has an unsupported value'
        : 'is invalid'
      : first?.input === undefined
        ? `is missing (expected ${expected})`
        : `has the wrong type (expected ${expected}, got ${kindOf(first.input)})`;
  throw new CredentialParseError(file, field, problem);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Checks the entries we own: `profiles[profileId]` and `usageStats[profileId]`.
 * @throws {CredentialParseError} naming the field (`profiles.anthropic:claude-cli.expires`).
 */
export function parseOwnEntries(document: AuthProfilesDocument, profileId: string, file: string): OwnEntries {
  const rawProfile = Object.hasOwn(document.profiles, profileId) ? document.profiles[profileId] : undefined;
  const rawUsage =
    document.usageStats && Object.hasOwn(document.usageStats, profileId)
      ? document.usageStats[profileId]
      : undefined;
  return {
    profile:
      rawProfile === undefined
        ? undefined
        : checked(AuthProfileSchema, rawProfile, ['profiles', profileId], file),
    usage:
      rawUsage === undefined
        ? undefined
        : checked(UsageStatsSchema, rawUsage, ['usageStats', profileId], file),
  };
}

/** Something wrong in an entry that is not ours: carried through untouched, reported. */
export interface ForeignProblem {
  /** The JSON path, e.g. `profiles["openai:default"].key`. */
  field: string;
  problem: string;
}

/** Every malformed profile or usage entry other than `ownProfileId`'s (at most `limit`). */
export function findForeignProblems(
  document: AuthProfilesDocument,
  ownProfileId: string,
  limit = 20,
): ForeignProblem[] {
  const problems: ForeignProblem[] = [];
  const scan = (section: 'profiles' | 'usageStats', entries: Record<string, unknown>, schema: z.ZodType) => {
    for (const [id, value] of Object.entries(entries)) {
      if (id === ownProfileId || problems.length >= limit) continue;
      try {
        checked(schema, value, [section, id], '');
      } catch (error) {
        if (error instanceof CredentialParseError)
          problems.push({ field: error.field, problem: error.message.replace(/^: field "[^"]*" /, '') });
      }
    }
  };
  scan('profiles', document.profiles, AuthProfileSchema);
  scan('usageStats', document.usageStats ?? {}, UsageStatsSchema);
  return problems;
}

export function emptyAuthProfilesDocument(): AuthProfilesDocument {
  return { version: AUTH_PROFILES_VERSION, profiles: {} };
}
