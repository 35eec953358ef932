/**
 * Lease timing, apart from the lease code: the public types (store options) reach it without
 * reaching the Redis client's types (`@redis/client` is an optional peer).
 */

/** Lease timing. All in ms. */
export interface LeaseOptions {
  /** Lease lifetime; renewed every ttl/3 while held. Must exceed the token request timeout. Default 30000. */
  ttlMs?: number;
  /** Longest wait for the lease before LockTimeoutError. Default 1.5 × ttlMs. */
  waitMs?: number;
  /** Polling delay bounds while waiting (jittered, doubling). Default 2..50. */
  retryDelayMs?: { min: number; max: number };
}

/** The default lease lifetime, ms: longer than the token request timeout, renewed every ttl/3. */
export const DEFAULT_LEASE_TTL_MS = 30_000;
