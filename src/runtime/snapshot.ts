/** What `getSnapshot()` and `subscribe()` report: metadata only, safe to log or serve. */

import type {
  CredentialView,
  FailureKind,
  RecoveryContext,
  RecoveryStateName,
} from '../../machines/index.js';
import type { LastFailure } from '../store/last-failure.js';

/** A point-in-time view of one runtime instance. Never holds a token. */
export interface AuthRecoverySnapshot {
  /** The profile, e.g. `anthropic:claude-cli`. */
  profileId: string;
  /** The machine's state. */
  state: RecoveryStateName;
  /** Fingerprint, expiry (epoch ms) and origin of the credential held; null when none. */
  credential: CredentialView | null;
  /** Epoch ms at which the current cooldown ends, or null. */
  cooldownUntil: number | null;
  /** Cooldowns in a row without a recovery in between. */
  consecutiveCooldowns: number;
  /** Retries spent in the current recovery. */
  attempts: number;
  /** Why the last recovery step failed; null after a success. */
  lastError: FailureKind | null;
  /** A short, secret-free label of that failure (an error code or class name). */
  lastErrorMessage: string | null;
  /** Calls waiting to be retried with a recovered token. */
  pendingCalls: number;
  /** Token endpoint requests this instance made. */
  tokenRequests: number;
  /**
   * The last recovery failure (when, class, HTTP status or error code, content type; never a
   * secret), also persisted in the store's usage stats; null after a successful refresh or
   * sync (a `store` failure stays until the pending save lands).
   */
  lastFailure: LastFailure | null;
  /** The refresh token we hold is known dead (the server said so, or its answer was lost): log in. */
  refreshTokenDead: boolean;
}

/** Builds the snapshot from the machine's context (undefined before `start()`). */
export function buildSnapshot(
  profileId: string,
  state: RecoveryStateName,
  context: RecoveryContext | undefined,
  runtime: {
    tokenRequests: number;
    failures: { lastFailure: LastFailure | null; refreshTokenDead: boolean };
  },
): AuthRecoverySnapshot {
  return {
    profileId,
    state,
    credential: context?.credential ?? null,
    cooldownUntil: context?.cooldownUntil ?? null,
    consecutiveCooldowns: context?.consecutiveCooldowns ?? 0,
    attempts: context?.attempts ?? 0,
    lastError: context?.lastError ?? null,
    lastErrorMessage: context?.lastErrorMessage ?? null,
    pendingCalls: context?.pendingCalls ?? 0,
    tokenRequests: runtime.tokenRequests,
    lastFailure: runtime.failures.lastFailure,
    refreshTokenDead: runtime.failures.refreshTokenDead,
  };
}
