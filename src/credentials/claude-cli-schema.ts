/**
 * The Claude Code CLI's credentials document (`.credentials.json`, or the Keychain item's
 * password on macOS). Loose objects: fields we do not know (mcpOAuth, organization data, ...)
 * are kept and written back untouched. `subscriptionType`/`rateLimitTier` may be null.
 * A blanked login (`""`, `""`, `0`) is valid here, and so is one without `expiresAt`; deciding
 * what they mean is the source's job.
 */
import { z } from 'zod';

/**
 * A JSON number. `1e400` parses as `Infinity`, which zod 4's `z.number()` refuses: it is kept
 * here, and the reader clamps it (`toOAuthCredential`) like any other absurd value.
 */
const jsonNumber = z.custom<number>((value) => typeof value === 'number' && !Number.isNaN(value), {
  error: (issue) =>
    `has the wrong type (expected number, got ${issue.input === null ? 'null' : Array.isArray(issue.input) ? 'array' : typeof issue.input})`,
});

export const ClaudeAiOauthSchema = z.looseObject({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Epoch milliseconds; 0 when the CLI blanked the login; absent in some files seen in the wild. */
  expiresAt: jsonNumber.optional(),
  /** Epoch milliseconds: when the refresh token itself stops working (Claude Code 2.1.x). */
  refreshTokenExpiresAt: jsonNumber.optional(),
  scopes: z.array(z.string()).optional(),
  subscriptionType: z.string().nullable().optional(),
  rateLimitTier: z.string().nullable().optional(),
});

export const ClaudeCliCredentialsSchema = z.looseObject({
  claudeAiOauth: ClaudeAiOauthSchema.optional(),
});

export type ClaudeAiOauth = z.output<typeof ClaudeAiOauthSchema>;
export type ClaudeCliCredentialsDocument = z.output<typeof ClaudeCliCredentialsSchema>;
