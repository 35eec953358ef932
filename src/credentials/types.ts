/**
 * The one in-memory shape of an OAuth login, whichever file it came from. Raw tokens live
 * only here and in the files; everything that leaves a source (machine context, logs,
 * events) uses `CredentialMeta` instead.
 */
export interface OAuthCredential {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  scopes?: string[];
  subscriptionType?: string;
  rateLimitTier?: string;
}

/** Where a credential was read from. */
export type CredentialSource = 'store' | 'cli' | 'refresh';

/** What the machine, logs and the inspector may see of a credential: no token value. */
export interface CredentialMeta {
  /** Short hash of the access token (see `fingerprintToken`). */
  fingerprint: string;
  expiresAt: number;
  source: CredentialSource;
}
