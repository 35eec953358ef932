/**
 * openclaw's `auth-profiles.json`, version 1. Loose objects everywhere: unknown top-level
 * fields, unknown profile fields and profiles of types we do not know are kept on write.
 * Profiles of the known types (`oauth`, `token`, `api_key`) are checked field by field, so a
 * broken one is reported by name (`profiles.anthropic:claude-cli.expires`) and never written over.
 */
import { z } from 'zod';

export const AUTH_PROFILES_VERSION = 1;

export const OAuthProfileSchema = z.looseObject({
  type: z.literal('oauth'),
  provider: z.string(),
  access: z.string(),
  refresh: z.string(),
  /** Epoch milliseconds. */
  expires: z.number(),
  email: z.string().optional(),
});

export const TokenProfileSchema = z.looseObject({
  type: z.literal('token'),
  provider: z.string(),
  token: z.string(),
  expires: z.number().optional(),
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
  errorCount: z.number().optional(),
  /** Epoch ms; a past value means the cooldown is over (and is cleared). */
  cooldownUntil: z.number().optional(),
  lastFailureAt: z.number().optional(),
  lastUsed: z.number().optional(),
});

export type UsageStats = z.output<typeof UsageStatsSchema>;

export const AuthProfilesDocumentSchema = z.looseObject({
  version: z.literal(AUTH_PROFILES_VERSION),
  profiles: z.record(z.string(), AuthProfileSchema),
  order: z.record(z.string(), z.array(z.string())).optional(),
  lastGood: z.record(z.string(), z.string()).optional(),
  usageStats: z.record(z.string(), UsageStatsSchema).optional(),
});

export type AuthProfilesDocument = z.output<typeof AuthProfilesDocumentSchema>;

export function isOAuthProfile(profile: AuthProfile | undefined): profile is OAuthProfile {
  return profile?.type === 'oauth';
}

export function emptyAuthProfilesDocument(): AuthProfilesDocument {
  return { version: AUTH_PROFILES_VERSION, profiles: {} };
}
