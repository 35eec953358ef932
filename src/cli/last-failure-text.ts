/**
 * How `status` and `doctor` say what went wrong last and what a person must do: the persisted
 * last failure in one line (when, class, HTTP status or cause code, content type; never a
 * token), and "log in before HH:MM" (local time) when the refresh token is known dead.
 */
import type { LastFailure } from '../store/last-failure.js';
import { formatDuration, formatTime } from './format.js';

/** `permanent, HTTP 400 invalid_grant, application/json` / `transient, ECONNREFUSED`. */
export function describeFailureClass(failure: LastFailure): string {
  const parts: string[] = [failure.kind];
  if (failure.httpStatus !== undefined) {
    parts.push(`HTTP ${failure.httpStatus}${failure.oauthError ? ` ${failure.oauthError}` : ''}`);
  } else if (failure.oauthError) parts.push(failure.oauthError);
  if (failure.causeCode) parts.push(failure.causeCode);
  if (failure.contentType) parts.push(failure.contentType);
  return parts.join(', ');
}

/** `2026-11-30T10:12:00.000Z (5m 3s ago): permanent, HTTP 400 invalid_grant, application/json`. */
export function describeLastFailure(failure: LastFailure, now: number): string {
  return `${formatTime(failure.at)} (${formatDuration(now - failure.at)} ago): ${describeFailureClass(failure)}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * A deadline in local time for a person: `18:24` within the next 24 h, else `2026-12-01 18:24`.
 * Total: an impossible time gives `its expiry`.
 */
export function formatLocalDeadline(epochMs: number, now: number): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return 'its expiry';
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  if (epochMs - now < 24 * 60 * 60 * 1000) return clock;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clock}`;
}

/** What to do when the refresh token is dead: log in before the access token runs out. */
export function loginNeededText(expiresAt: number | null, now: number): string {
  if (expiresAt === null || expiresAt <= now) {
    return 'the refresh token is dead and the access token has expired: log in now (`claude`, then `oauth-recovery sync`)';
  }
  return `the refresh token is dead: log in before ${formatLocalDeadline(expiresAt, now)} (\`claude\`, then \`oauth-recovery sync\`); the current access token works until then`;
}
