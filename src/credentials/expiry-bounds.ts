/**
 * Sane bounds for token lifetimes and stored expiry times, applied where numbers enter
 * (the token endpoint's `expires_in`, a stored `expires`), so no later step meets a number
 * that cannot be a date: `new Date(1e16).toISOString()` throws "Invalid time value", and a
 * timer of years overflows.
 */

/**
 * The longest access-token lifetime we believe: 366 days, in ms. Anthropic's OAuth access
 * tokens live 8 h and `claude setup-token` tokens one year; anything longer is treated as
 * this long, which only makes us refresh earlier than needed.
 */
export const MAX_TOKEN_LIFETIME_MS = 366 * 24 * 60 * 60 * 1000;

/**
 * The lifetime assumed when a 200 answer has no usable `expires_in` (RFC 6749 §5.1 makes it
 * RECOMMENDED, not required): 1 hour, in ms. Short enough that a wrong guess costs one early
 * refresh; a token that dies sooner is caught by the API's 401 and `reportAuthFailure`.
 */
export const DEFAULT_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** The largest epoch ms a JavaScript Date can hold (ECMAScript §21.4.1.1). */
export const MAX_DATE_MS = 8.64e15;

/**
 * An expiry (epoch ms) brought into `[0, now + MAX_TOKEN_LIFETIME_MS]`: NaN and values ≤ 0
 * become 0 (already expired: the credential is refreshed, not trusted), and values beyond the
 * longest believable lifetime (`Infinity` included) are cut down to it.
 */
export function clampExpiresAt(expiresAt: number, now: number): number {
  if (Number.isNaN(expiresAt) || expiresAt <= 0) return 0;
  return Math.min(Math.round(expiresAt), now + MAX_TOKEN_LIFETIME_MS);
}

/**
 * The expiry (epoch ms) of a token issued no earlier than `requestedAt` with `expiresInSeconds`
 * (undefined: the server gave none, {@link DEFAULT_TOKEN_LIFETIME_MS} is assumed), the
 * lifetime clamped to `(0, MAX_TOKEN_LIFETIME_MS]`.
 */
export function expiresAtFromLifetime(requestedAt: number, expiresInSeconds: number | undefined): number {
  const lifetimeMs =
    expiresInSeconds === undefined || !Number.isFinite(expiresInSeconds) || expiresInSeconds <= 0
      ? DEFAULT_TOKEN_LIFETIME_MS
      : Math.min(expiresInSeconds * 1000, MAX_TOKEN_LIFETIME_MS);
  return Math.round(requestedAt + lifetimeMs);
}

/**
 * The longest refresh-token lifetime we believe: 3650 days, in ms, the bound Claude Code 2.1.328
 * itself applies to `refreshTokenExpiresAt` (see `CLAUDE_CODE_REFRESH_TOKEN_EXPIRY`). Longer
 * than {@link MAX_TOKEN_LIFETIME_MS} on purpose: cutting a real lifetime down would make the
 * CLI think its login ends sooner than it does.
 */
export const MAX_REFRESH_TOKEN_LIFETIME_MS = 3650 * 24 * 60 * 60 * 1000;

/**
 * The refresh token's own expiry (epoch ms) from the answer's `refresh_token_expires_in`
 * (seconds), measured from `requestedAt` and clamped to `(0, MAX_REFRESH_TOKEN_LIFETIME_MS]`
 * like {@link expiresAtFromLifetime}; undefined when the server gave no usable lifetime (Claude
 * Code 2.1.328 then keeps the stored `refreshTokenExpiresAt`).
 */
export function refreshTokenExpiresAtFromLifetime(
  requestedAt: number,
  expiresInSeconds: number | undefined,
): number | undefined {
  if (expiresInSeconds === undefined || !Number.isFinite(expiresInSeconds) || expiresInSeconds <= 0)
    return undefined;
  return Math.round(requestedAt + Math.min(expiresInSeconds * 1000, MAX_REFRESH_TOKEN_LIFETIME_MS));
}
