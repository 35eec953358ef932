import type { CredentialOrigin, CredentialView } from '../../machines/index.js';

/**
 * The one in-memory shape of an OAuth login, whichever file it came from. Raw tokens live
 * only here and in the files; everything that leaves a reader (machine context, logs,
 * events) uses `CredentialView` instead.
 */
export interface OAuthCredential {
  /** The bearer token for the API (`sk-ant-oat01-…`); lives about 8 h. */
  accessToken: string;
  /** The single-use refresh token (`sk-ant-ort01-…`); every refresh rotates it. */
  refreshToken: string;
  /** When `accessToken` expires, epoch milliseconds; 0 when unknown (a CLI file without `expiresAt`). */
  expiresAt: number;
  /** Epoch milliseconds: when the refresh token itself expires, when the server said so. */
  refreshTokenExpiresAt?: number;
  /** OAuth scopes, e.g. `['user:inference', 'user:profile']` (the Claude Code CLI's `scopes`). */
  scopes?: string[];
  /** The account's plan as the Claude Code CLI records it, e.g. `max`. */
  subscriptionType?: string;
  /** The Claude Code CLI's `rateLimitTier`, e.g. `default_claude_max_20x`. */
  rateLimitTier?: string;
}

/** The token-free view of a credential and its origin tag: one definition, in `machines/`. */
export type { CredentialOrigin, CredentialView };
