import type { CredentialOrigin, CredentialView } from '../../machines/index.js';

/**
 * The one in-memory shape of an OAuth login, whichever file it came from. Raw tokens live
 * only here and in the files; everything that leaves a reader (machine context, logs,
 * events) uses `CredentialView` instead.
 */
export interface OAuthCredential {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds; 0 when unknown (a CLI file without `expiresAt`). */
  expiresAt: number;
  /** Epoch milliseconds: when the refresh token itself expires, when the server said so. */
  refreshTokenExpiresAt?: number;
  scopes?: string[];
  subscriptionType?: string;
  rateLimitTier?: string;
}

/** The token-free view of a credential and its origin tag: one definition, in `machines/`. */
export type { CredentialOrigin, CredentialView };
