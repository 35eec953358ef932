/**
 * The loopback Anthropic's record of the tokens it issued, with Anthropic's rotation rule: a
 * refresh token is single use, so each refresh kills the old pair (old refresh token → dead,
 * old access token → revoked) and issues a new one. Tokens are random and shaped like
 * Anthropic's (`sk-ant-oat01-…`, `sk-ant-ort01-…`).
 */
import { randomBytes } from 'node:crypto';

/** A login the server issued: both tokens and the access token's expiry. */
export interface IssuedLogin {
  /** The access token (`sk-ant-oat01-…`). */
  accessToken: string;
  /** The refresh token (`sk-ant-ort01-…`). */
  refreshToken: string;
  /** Epoch ms by the server's `now`. */
  expiresAt: number;
}

/** What the server thinks of a token right now. */
export type TokenState = 'valid' | 'revoked' | 'expired' | 'unknown';

/** The issued tokens and what can happen to them. */
export interface TokenLedger {
  /** A new live pair; keeps `refreshToken` when given (a refresh that does not rotate). */
  issue(refreshToken?: string): IssuedLogin;
  /**
   * Spends a live refresh token: its access token is revoked and a new pair issued. With
   * `rotate: false` only the access token is renewed and the refresh token stays live (RFC 6749
   * §6). Undefined when the refresh token is not live (used, revoked or never issued).
   */
  rotate(refreshToken: string, rotate?: boolean): IssuedLogin | undefined;
  /** Revokes exactly this token (access or refresh); its partner is untouched. */
  revoke(token: string): void;
  /** The state of an access or refresh token. */
  state(token: string): TokenState;
  /** Whether `token` is a live refresh token (which is not an access token). */
  isLiveRefreshToken(token: string): boolean;
}

function randomToken(prefix: string): string {
  return `${prefix}${randomBytes(48).toString('base64url')}`;
}

/** An empty ledger issuing access tokens that live `expiresInSeconds` by the clock `now` (epoch ms). */
export function createTokenLedger(expiresInSeconds: number, now: () => number): TokenLedger {
  // Live refresh token → its access token. A refresh token leaves this map when used or revoked.
  const liveRefresh = new Map<string, string>();
  const access = new Map<string, { expiresAt: number; revoked: boolean }>();
  const deadRefresh = new Set<string>();

  const issue = (refreshToken = randomToken('sk-ant-ort01-')): IssuedLogin => {
    const accessToken = randomToken('sk-ant-oat01-');
    const expiresAt = now() + expiresInSeconds * 1000;
    access.set(accessToken, { expiresAt, revoked: false });
    liveRefresh.set(refreshToken, accessToken);
    return { accessToken, refreshToken, expiresAt };
  };

  return {
    issue,
    rotate(refreshToken, rotate = true) {
      const oldAccess = liveRefresh.get(refreshToken);
      if (oldAccess === undefined) return undefined;
      const record = access.get(oldAccess);
      if (record !== undefined) record.revoked = true;
      if (!rotate) return issue(refreshToken);
      liveRefresh.delete(refreshToken);
      deadRefresh.add(refreshToken);
      return issue();
    },
    revoke(token) {
      if (liveRefresh.delete(token)) deadRefresh.add(token);
      const record = access.get(token);
      if (record !== undefined) record.revoked = true;
    },
    state(token) {
      if (liveRefresh.has(token)) return 'valid';
      if (deadRefresh.has(token)) return 'revoked';
      const record = access.get(token);
      if (record === undefined) return 'unknown';
      if (record.revoked) return 'revoked';
      return record.expiresAt <= now() ? 'expired' : 'valid';
    },
    isLiveRefreshToken: (token) => liveRefresh.has(token),
  };
}
