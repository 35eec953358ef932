/**
 * The last failure of a profile's recovery, as the runtime reports it in its snapshot and
 * persists in `usageStats[profileId].lastFailure`, so `status` (another process) can show it.
 * Metadata only: a class, an HTTP status or error code, a content type; never a token or body.
 * One parser reads the persisted form for every reader (the runtime at start-up, `status`,
 * `doctor`): it never throws, clamps the numbers, and masks the message again.
 */
import { z } from 'zod';
import { maskSecrets } from '../oauth/mask-secrets.js';
import { toNumber } from './lossless-json.js';

/**
 * `permanent`: the server said the grant is dead (`invalid_grant` and kin) or our answer was
 * lost after the token was spent; `transient`: endpoint trouble (network, timeout, 403/429/5xx,
 * non-JSON); `store`: our own store could not be written (disk full, read-only, permissions, lock).
 */
export type LastFailureKind = 'permanent' | 'transient' | 'store';

/** One failure, as recorded. */
export interface LastFailure {
  /** Epoch ms when it happened. */
  at: number;
  kind: LastFailureKind;
  /** HTTP status of the token endpoint's answer, when one arrived (100–599). */
  httpStatus?: number;
  /** RFC 6749 error code from a JSON error body, e.g. `invalid_grant`. */
  oauthError?: string;
  /** The answer's media type, e.g. `text/html`. */
  contentType?: string;
  /** A network or file-system cause code: `ECONNREFUSED`, `timeout`, `ENOSPC`, `EROFS`… */
  causeCode?: string;
  /** A short, secret-free description (at most {@link MAX_MESSAGE_LENGTH} characters when read back). */
  message: string;
}

/** The longest stored message read back, in characters. */
export const MAX_MESSAGE_LENGTH = 300;

/** A stored number (a `number`, or a lossless-json `LosslessNumber` such as `1e300`) as a double; else NaN. */
const storedNumber = z.unknown().transform(toNumber);
const code = z.string().regex(/^[A-Za-z0-9_./+-]{1,64}$/);

/**
 * The persisted form (written by oauth-recovery's runtime since issue 9): `at` and `kind` are
 * required; a malformed optional field is dropped, not fatal. Numbers may be lossless-json
 * `LosslessNumber`s, as the store is parsed losslessly.
 */
export const LastFailureSchema = z.object({
  at: storedNumber.refine((value) => !Number.isNaN(value)),
  kind: z.enum(['permanent', 'transient', 'store']),
  httpStatus: storedNumber.pipe(z.number().int().min(100).max(599)).optional().catch(undefined),
  oauthError: code.optional().catch(undefined),
  contentType: code.optional().catch(undefined),
  causeCode: code.optional().catch(undefined),
  message: z.string().catch(''),
});

/**
 * `value` (a stored `lastFailure`) as a LastFailure, or undefined when it is missing or not of
 * the persisted shape. Never throws. `at` is clamped into `[0, now]` (a failure cannot lie in
 * the future, and `1e300` must not reach a date formatter), the message is masked again and
 * cut to {@link MAX_MESSAGE_LENGTH} characters, and dropped optional fields are absent.
 *
 * @param now - epoch ms, the upper bound for `at`.
 */
export function readLastFailure(value: unknown, now: number): LastFailure | undefined {
  const parsed = LastFailureSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { at, kind, message, httpStatus, oauthError, contentType, causeCode } = parsed.data;
  const failure: LastFailure = {
    at: Math.round(Math.min(Math.max(at, 0), now)),
    kind,
    message: maskSecrets(message).slice(0, MAX_MESSAGE_LENGTH),
  };
  if (httpStatus !== undefined) failure.httpStatus = httpStatus;
  if (oauthError !== undefined) failure.oauthError = oauthError;
  if (contentType !== undefined) failure.contentType = contentType;
  if (causeCode !== undefined) failure.causeCode = causeCode;
  return failure;
}
