/**
 * How a token endpoint answer maps onto the recovery machine's two failure kinds.
 * `permanent`: the refresh token (or the client) is refused; retrying the same token cannot
 * help, so recovery goes straight to syncing from the Claude Code CLI.
 * `transient`: the server or the path to it failed; retry with backoff.
 */
import type { RefreshFailureKind } from '../errors.js';

/**
 * 400 (invalid_grant and friends), 401 and 403 refuse the request itself: permanent.
 * 408, 429, 5xx are transient by definition. Anything else (404 from a wrong proxy path,
 * a stray redirect, 409...) is treated as transient too: it says nothing about the refresh
 * token, and a transient failure still ends in a CLI sync once the retries run out.
 */
export function classifyTokenStatus(status: number, oauthError?: string): RefreshFailureKind {
  if (oauthError === 'invalid_grant') return 'permanent';
  if (status === 400 || status === 401 || status === 403) return 'permanent';
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
