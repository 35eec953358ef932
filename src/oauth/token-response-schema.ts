/**
 * The token endpoint's answers, validated at the edge (panva/oauth4webapi style), but
 * accepting what the server sent that is usable: from the moment the endpoint answers 200,
 * the server may already have rotated the refresh token, so refusing its answer over an odd
 * optional field would throw away the only live login.
 *
 * - `access_token` is the one essential field: without a non-empty string there is nothing to use.
 * - `refresh_token` absent, empty or not a string: the server did not rotate (RFC 6749 §6
 *   allows it); the caller keeps the old refresh token.
 * - `expires_in` absent or unusable: the caller assumes a default lifetime; a numeric string
 *   (`"28800"`) is read as a number.
 * - `refresh_token_expires_in` (seconds, the refresh token's own lifetime) absent or unusable:
 *   dropped, the server said nothing about it; read like `expires_in`.
 * - `token_type`, `scope` and unknown fields (`account`, `organization`…) never fail the answer.
 *
 * A failure names the field and the problem, never the value: the values are tokens.
 */
import { z } from 'zod';
import { RefreshError } from '../errors.js';

const nonEmptyString = z.string().min(1);
/** An optional field that is simply dropped when it holds something unusable. */
const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const positiveSeconds = z.union([
  z.number(),
  z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*$/)
    .transform(Number),
]);

/** A 200 answer to `grant_type=refresh_token`, as far as we use it. */
export const tokenResponseSchema = z
  .object({
    access_token: nonEmptyString,
    refresh_token: optional(nonEmptyString),
    expires_in: optional(positiveSeconds.pipe(z.number().positive().finite())),
    refresh_token_expires_in: optional(positiveSeconds.pipe(z.number().positive().finite())),
    token_type: optional(z.string()),
    scope: optional(z.string()),
  })
  .loose();

/**
 * A validated 200 answer. `refresh_token` undefined: not rotated, keep the old one;
 * `expires_in` undefined: the server gave no usable lifetime (seconds);
 * `refresh_token_expires_in` undefined: no usable lifetime for the refresh token (seconds).
 */
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** An RFC 6749 §5.2 error body, e.g. `{"error":"invalid_grant","error_description":"..."}`. */
export const tokenErrorResponseSchema = z
  .object({
    error: nonEmptyString,
    error_description: z.string().optional().catch(undefined),
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
    default:
      return `field "${field}" is invalid`;
  }
}

/**
 * Validates a parsed 200 body. Only a body without a usable `access_token` is refused, as a
 * transient {@link RefreshError} (a server fault: retrying or syncing from the CLI may help).
 * @throws {RefreshError} `transient`, naming the field, never its value.
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
