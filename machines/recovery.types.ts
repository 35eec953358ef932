/**
 * The recovery machine's vocabulary: its context (metadata only — never a raw token), the
 * events an agent runtime sends it, the events it emits, and what its invoked actors take
 * and return. Everything here is plain JSON so snapshots can be persisted and inspected.
 */
import type { RecoveryPolicy } from './policies.js';

/** Where the credential we hold came from: our store, the Claude Code CLI, or our own refresh. */
export type CredentialOrigin = 'store' | 'cli' | 'refresh';

/** What the machine knows of a credential: a fingerprint and an expiry, never the token. */
export interface CredentialView {
  /** Short hash of the access token (see `fingerprintToken`); '' for a blank token. */
  fingerprint: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Where it came from: our store, the Claude Code CLI, or our own refresh. */
  source: CredentialOrigin;
  /** An API call rejected this exact token before its expiry (revoked by a rotation elsewhere). */
  rejected?: boolean;
  /**
   * Epoch ms when this process obtained the token (set by the machine when a refresh or sync
   * brings it, unless the actor says); absent for a credential loaded at start. Lets the refresh
   * point and the freshness margin scale with the token's lifetime.
   */
  issuedAt?: number;
}

/** Why the last step of a recovery failed. */
export type FailureKind =
  /** The refresh token is dead (invalid_grant, revoked, no refresh token): refreshing again cannot help. */
  | 'permanent'
  /** Network, timeout, 408/429/5xx: worth retrying after a backoff. */
  | 'transient'
  /** The CLI's credentials could not be read (malformed, unreadable). */
  | 'unreadable'
  /** The CLI had nothing fresher than what we hold. */
  | 'notFresher'
  /** A call retried with recovered credentials was rejected again, or freshly recovered tokens kept being rejected (refreshing does not help). */
  | 'rejectedAgain';

/** The machine's context: metadata only (fingerprints, epoch-ms deadlines, counters), plain JSON. */
export interface RecoveryContext {
  /** The profile this machine keeps alive, e.g. `anthropic:claude-cli`. */
  profileId: string;
  /** The credential we hold (token-free view), or null when none. */
  credential: CredentialView | null;
  /** The resolved policy (defaults plus the input's overrides). */
  policy: RecoveryPolicy;
  /** Retries spent in the current recovery (backoff refreshes and re-syncs); ≤ policy.maxRetries. */
  attempts: number;
  /** Cooldowns in a row without a recovery in between; drives the growing cooldown delay. */
  consecutiveCooldowns: number;
  /** Epoch ms at which the cooldown ends, or null. */
  cooldownUntil: number | null;
  /** Epoch ms at which the next proactive refresh is due, or null. */
  nextRefreshAt: number | null;
  /**
   * After a failed recovery while our token still works, the next refresh waits until this
   * epoch ms instead of firing again at once; null otherwise.
   */
  refreshNotBefore: number | null;
  /** Server-requested minimum wait (Retry-After), in ms, for the next backoff. */
  retryAfterMs: number | null;
  /** The kind of the last failure, or null after a success. */
  lastError: FailureKind | null;
  /** A short, secret-free description of the last error (code or message). */
  lastErrorMessage: string | null;
  /** Calls that were rejected with the old token and wait for the recovery to retry. */
  pendingCalls: number;
  /** Epoch ms when the current recovery began, for durations in emitted events. */
  recoveryStartedAt: number | null;
  /**
   * Epoch ms when the last token request (entry into `refreshing`) started: the next recovery
   * waits until `policy.minRefreshIntervalMs` after it. Null before the first, and once a
   * scheduled refresh point (which already honours the interval) is reached.
   */
  lastRefreshAt: number | null;
  /**
   * False from the moment a recovery brings a new token until a call succeeds with it
   * (TOKEN_ACCEPTED); a credential loaded at start counts as proven.
   */
  tokenProven: boolean;
  /**
   * Tokens rejected before any call succeeded with them (since the last TOKEN_ACCEPTED or
   * reached refresh point). At `policy.maxRetries`, refreshing is judged not to help: cooldown.
   */
  unprovenRejections: number;
}

/** What `createActor(createRecoveryMachine(), { input })` takes. */
export interface RecoveryInput {
  /** The profile to keep alive, e.g. `anthropic:claude-cli`. */
  profileId: string;
  /** The credential loaded at start (token-free view); absent or null when none. */
  credential?: CredentialView | null;
  /** A persisted cooldown deadline (from the store's usage stats) to honour across restarts. */
  cooldownUntil?: number | null;
  /** Cooldowns in a row before this start (persisted), so the delay keeps growing. Default 0. */
  consecutiveCooldowns?: number;
  /** Overrides of `DEFAULT_POLICY`. */
  policy?: Partial<RecoveryPolicy>;
}

/** The events an agent runtime sends the machine. */
export type RecoveryEvent =
  /** The runtime noticed the access token expired (e.g. before a call). */
  | { type: 'TOKEN_EXPIRED' }
  /** An API call was rejected with an authentication error; the call waits to be retried. */
  | { type: 'AUTH_REJECTED'; status?: number; message?: string }
  /** The Claude Code CLI's credentials changed on disk (a login, or the CLI's own refresh). */
  | { type: 'CREDENTIALS_CHANGED' }
  /** An operator or the runtime asked to sync from the CLI now. */
  | { type: 'SYNC_REQUESTED' }
  /** An API call succeeded with the current token (the runtime sends it once per new token). */
  | { type: 'TOKEN_ACCEPTED' };

/** The events the machine emits (`actor.on(type, …)`): metadata only; times epoch ms, durations ms. */
export type RecoveryEmitted =
  | { type: 'refreshed'; profileId: string; fingerprint: string; expiresAt: number; source: CredentialOrigin }
  | { type: 'synced'; profileId: string; fingerprint: string; expiresAt: number }
  | { type: 'recovered'; profileId: string; fingerprint: string; expiresAt: number; durationMs: number }
  | {
      type: 'cooldownStarted';
      profileId: string;
      until: number;
      consecutive: number;
      reason: FailureKind | null;
    }
  | { type: 'cooldownEnded'; profileId: string; reason: 'timer' | 'credentialsChanged' | 'syncRequested' };

/** Input of the `refreshToken` and `syncFromCli` actors. */
export interface CredentialActorInput {
  /** The profile being recovered. */
  profileId: string;
  /** The credential the machine holds now (token-free view), or null. */
  credential: CredentialView | null;
}

/**
 * Output of `refreshToken`: the credential now in the store. `source: 'store'` means another
 * process refreshed first and we adopted its token instead of spending a refresh.
 */
export type RefreshOutput = CredentialView;

/** Output of `syncFromCli`. */
export interface SyncOutput {
  /** `adopted`: the CLI credential was fresher and is now in the store. */
  status: 'adopted' | 'notFresher' | 'blank' | 'missing';
  /** The adopted credential (token-free view) when `adopted`, else null. */
  credential: CredentialView | null;
}

/** Input of the `retryPendingCalls` actor. */
export interface RetryInput {
  /** The profile being recovered. */
  profileId: string;
  /** The recovered credential the calls are retried with (token-free view). */
  credential: CredentialView | null;
  /** How many rejected calls wait to be retried. */
  pendingCalls: number;
}

/** Output of `retryPendingCalls`: how many retried calls were rejected again. */
export interface RetryOutput {
  /** Retried calls the API rejected again (0: the recovery worked). */
  rejected: number;
}

/** The shape an actor's error should have for the machine to classify it (RefreshError has it). */
export interface ClassifiableError {
  /** `permanent`: the grant is dead; `transient`: retry after a backoff. Absent counts as transient. */
  kind?: 'permanent' | 'transient';
  /** Server-requested minimum wait before a retry (Retry-After), ms. */
  retryAfterMs?: number;
  /** A stable error code, e.g. `REFRESH_FAILED`. */
  code?: string;
  /** A secret-free message, kept (shortened) as `lastErrorMessage`. */
  message?: string;
}
