/**
 * The token endpoint's answers, validated at the edge (panva/oauth4webapi style): every field
 * we use is checked, unknown fields are allowed (Anthropic adds `account`, `organization`).
 * A failure names the field and the problem, never the value: the values are tokens.
 */
import { z } from 'zod';
import { RefreshError } from '../errors.js';

const nonEmptyString = z.string().min(1);

/** A 200 answer to `grant_type=refresh_token`. Anthropic always rotates, so `refresh_token` is required. */
export const tokenResponseSchema = z
  .object({
    access_token: nonEmptyString,
    refresh_token: nonEmptyString,
    expires_in: z.number().positive().finite(),
    token_type: nonEmptyString,
    scope: z.string().optional(),
  })
  .loose();

export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** An RFC 6749 §5.2 error body, e.g. `{"error":"invalid_grant","error_description":"..."}`. */
export const tokenErrorResponseSchema = z
  .object({
    error: nonEmptyString,
    error_description: z.string().optional(),
  })
  .loose();

export type TokenErrorResponse = z.infer<typeof tokenErrorResponseSchema>;

/** Builds a description of one issue from its path and code only; zod's own text is not used. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.path.length === 0) return 'the body is not a JSON object';
  const field = issue.path.map(String).join('.');
  const present = typeof input === 'object' && input !== null && Object.hasOwn(input, String(issue.path[0]));
  if (!present) return `field "${field}" is missing`;
  switch (issue.code) {
    case 'invalid_type':
      return `field "${field}" is not a ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'string' ? `field "${field}" is empty` : `field "${field}" is too small`;
    case 'too_big':
      return `field "${field}" is too large`;
    default:
      return `field "${field}" is invalid`;
  }
}

/**
 * Validates a parsed 200 body. A 200 with a malformed body is a server fault, so the
 * failure is transient: retrying (or syncing from the CLI) may succeed.
 */
export function parseTokenResponse(body: unknown, status: number, contentType?: string): TokenResponse {
  const result = tokenResponseSchema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((issue) => describeIssue(issue, body));
  throw new RefreshError(
    'transient',
    `token endpoint answered HTTP ${status} with an invalid token response: ${problems.join('; ')}`,
    { httpStatus: status, contentType },
  );
}

/** Returns the error body when it has the RFC 6749 shape, otherwise undefined. */
export function parseTokenErrorResponse(body: unknown): TokenErrorResponse | undefined {
  const result = tokenErrorResponseSchema.safeParse(body);
  return result.success ? result.data : undefined;
}
