/**
 * A validated 200 answer to the refresh_token grant, turned into the credential we keep: every
 * number brought into its believable bounds, nothing the server sent thrown away.
 */
import { expiresAtFromLifetime, refreshTokenExpiresAtFromLifetime } from '../credentials/expiry-bounds.js';
import type { OAuthCredential } from '../credentials/types.js';
import type { TokenResponse } from './token-response-schema.js';

/**
 * The rotated credential from `body`, for a request sent at `requestedAt` (epoch ms) with
 * `spentRefreshToken`. No `refresh_token` in the answer: the server did not rotate (RFC 6749 §6)
 * and the spent one stays valid, so it is kept. `expiresAt` (epoch ms) comes from `expires_in`
 * ({@link expiresAtFromLifetime}); `refreshTokenExpiresAt` (epoch ms) from
 * `refresh_token_expires_in` ({@link refreshTokenExpiresAtFromLifetime}), left out when the answer
 * had none, as Claude Code 2.1.328 does on a refresh; `scopes` from `scope`, split on whitespace.
 */
export function toRotatedCredential(
  body: TokenResponse,
  spentRefreshToken: string,
  requestedAt: number,
): OAuthCredential {
  const credential: OAuthCredential = {
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? spentRefreshToken,
    expiresAt: expiresAtFromLifetime(requestedAt, body.expires_in),
  };
  const refreshTokenExpiresAt = refreshTokenExpiresAtFromLifetime(requestedAt, body.refresh_token_expires_in);
  if (refreshTokenExpiresAt !== undefined) credential.refreshTokenExpiresAt = refreshTokenExpiresAt;
  if (body.scope !== undefined) credential.scopes = body.scope.split(/\s+/).filter((scope) => scope !== '');
  return credential;
}
