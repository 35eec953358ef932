/**
 * How a token endpoint answer maps onto the recovery machine's two failure kinds.
 * `permanent`: the server said the grant (the refresh token) is dead; retrying the same token
 * cannot help, so recovery goes straight to syncing from the Claude Code CLI and an operator
 * is told to log in. `transient`: everything else; retry with backoff (bounded), then sync,
 * then cool down. The full table is in docs/failures.md.
 */
import type { RefreshFailureKind } from '../errors.js';

/**
 * RFC 6749 §5.2 codes that say the grant itself is dead: `invalid_grant` ("the provided
 * authorization grant … or refresh token is invalid, expired, revoked … or was issued to
 * another client"). Exported for docs and tests.
 */
export const GRANT_DEAD_ERRORS: readonly string[] = ['invalid_grant'];

/**
 * RFC 6749 §5.2 codes that say the client or the request is wrong, not the grant:
 * `invalid_request`, `invalid_client`, `unauthorized_client`, `unsupported_grant_type`,
 * `invalid_scope`. The refresh token may be alive, so they are never permanent: declaring a
 * live login dead would tell a person to log in for nothing. They are configuration or
 * endpoint problems, retried a bounded number of times and shown to the operator by code.
 */
export const CLIENT_OR_REQUEST_ERRORS: readonly string[] = [
  'invalid_request',
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
];

/**
 * `permanent` only for a 4xx answer whose JSON body carries a grant-is-dead code
 * ({@link GRANT_DEAD_ERRORS}); `transient` for every other status, with or without a body:
 * 401/403 without such a code (a proxy, a CDN challenge page, a WAF), 408, 429, 5xx, 3xx
 * (redirects are never followed), 404 from a wrong path. `oauthError` must come from a JSON
 * RFC 6749 error body; pass undefined for HTML or unparseable bodies.
 */
export function classifyTokenStatus(status: number, oauthError?: string): RefreshFailureKind {
  if (status >= 400 && status < 500 && oauthError !== undefined && GRANT_DEAD_ERRORS.includes(oauthError)) {
    return 'permanent';
  }
  return 'transient';
}

/**
 * `Retry-After` as milliseconds from `nowMs`: either delta-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC 9110 §10.2.3). A date in the past means 0.
 * Unparseable values are ignored rather than guessed.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // HTTP-dates start with a day name; this keeps V8's lenient Date.parse away from "1.5" and the like.
  if (!/^[A-Za-z]{3}/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** The media type of a Content-Type header, short and safe to print (`text/html`). */
export function describeContentType(header: string | null): string {
  if (header === null || header.trim() === '') return 'none';
  const mediaType = header.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(mediaType) ? mediaType : 'unrecognised';
}
