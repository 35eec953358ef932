/**
 * The last failure of a profile's recovery, as the runtime reports it in its snapshot and
 * persists in `usageStats[profileId].lastFailure`, so `status` (another process) can show it.
 * Metadata only: a class, an HTTP status or error code, a content type; never a token or body.
 */
import { z } from 'zod';

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
  /** HTTP status of the token endpoint's answer, when one arrived. */
  httpStatus?: number;
  /** RFC 6749 error code from a JSON error body, e.g. `invalid_grant`. */
  oauthError?: string;
  /** The answer's media type, e.g. `text/html`. */
  contentType?: string;
  /** A network or file-system cause code: `ECONNREFUSED`, `timeout`, `ENOSPC`, `EROFS`… */
  causeCode?: string;
  /** A short, secret-free description. */
  message: string;
}

/** The persisted form's schema: a malformed value reads as absent, never as an error. */
export const LastFailureSchema = z.object({
  at: z.number(),
  kind: z.enum(['permanent', 'transient', 'store']),
  httpStatus: z.number().optional(),
  oauthError: z.string().optional(),
  contentType: z.string().optional(),
  causeCode: z.string().optional(),
  message: z.string(),
});

/** `value` as a LastFailure, or undefined when it is missing or malformed. */
export function readLastFailure(value: unknown): LastFailure | undefined {
  const parsed = LastFailureSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
