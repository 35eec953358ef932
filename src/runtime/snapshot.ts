/** What `getSnapshot()` and `subscribe()` report: metadata only, safe to log or serve. */
import type {
  CredentialView,
  FailureKind,
  RecoveryContext,
  RecoveryStateName,
} from '../../machines/index.js';

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
}

/** Builds the snapshot from the machine's context (undefined before `start()`). */
export function buildSnapshot(
  profileId: string,
  state: RecoveryStateName,
  context: RecoveryContext | undefined,
  tokenRequests: number,
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
    tokenRequests,
  };
}
