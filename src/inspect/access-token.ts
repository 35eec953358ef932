/**
 * Access control for the inspector servers: a random per-run token in the URL the operator is
 * given (`http://127.0.0.1:PORT/?token=…`, as notebook servers do). The page, its event stream,
 * `/state` and the WebSocket viewer all require it, so another local user or a page served
 * from some other localhost port cannot read the live state, even though both can reach the
 * port. The token is compared in constant time and never logged by us.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Query parameter carrying the access token (the name Jupyter uses). */
export const ACCESS_TOKEN_PARAM = 'token';

/** Shortest token accepted from a caller: 128 bits of base64url. */
const MIN_TOKEN_LENGTH = 22;

/** An access token supplied by the caller is too short to guess-proof the inspector. */
export class InspectorTokenError extends Error {
  /** Stable, machine-readable. */
  readonly code = 'INSPECTOR_TOKEN_INVALID';
  constructor() {
    super(`an inspector access token needs at least ${MIN_TOKEN_LENGTH} characters of [A-Za-z0-9_-]`);
    this.name = 'InspectorTokenError';
  }
}

/**
 * A fresh access token (32 random bytes, base64url), or `given` after checking it.
 * @throws InspectorTokenError when `given` is shorter than 22 characters or not base64url.
 */
export function resolveAccessToken(given?: string): string {
  if (given === undefined) return randomBytes(32).toString('base64url');
  if (given.length < MIN_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(given)) throw new InspectorTokenError();
  return given;
}

/** `url` with `?token=` set (any other query kept). */
export function withAccessToken(url: string, token: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(ACCESS_TOKEN_PARAM, token);
  return parsed.href;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** True when the request's URL carries `token` (compared in constant time). */
export function hasAccessToken(request: IncomingMessage, token: string): boolean {
  let given: string | null;
  try {
    given = new URL(request.url ?? '/', 'http://inspector.invalid').searchParams.get(ACCESS_TOKEN_PARAM);
  } catch {
    return false;
  }
  return given !== null && timingSafeEqual(digest(given), digest(token));
}
