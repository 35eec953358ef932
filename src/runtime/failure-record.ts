/**
 * The last failure of this profile's recovery and whether its refresh token is known dead:
 * kept for the snapshot, logged at warn level (no secrets), and persisted in the store's
 * `usageStats[profileId]` (`lastFailure`, `refreshTokenDead`) so `status` in another process
 * sees it. Cleared by a successful refresh or sync (a pending save keeps its `store` failure).
 * The fingerprint of the last refresh token known dead is persisted too (`deadRefreshToken`)
 * and outlives a success, so a new process never sends that token again.
 */
import { fingerprintToken } from '../credentials/fingerprint.js';
import { OAuthRecoveryError, RedisStoreError, RefreshError, StoreError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { LastFailure, LastFailureKind } from '../store/last-failure.js';
import type { ProfileStore, ProfileUsage, UsagePatch } from '../store/types.js';
import type { InflightWork } from './inflight-work.js';

/** What the record needs from the runtime. */
export interface FailureRecordDeps {
  store: ProfileStore;
  profileId: string;
  /** Epoch-ms clock. */
  now: () => number;
  logger: Logger;
  inflight: InflightWork;
  /** True while a rotated pair waits to be saved: its `store` failure outlives a recovery. */
  savePending: () => boolean;
}

/** Describes `error` as a LastFailure of `kind` (or the kind the error itself carries). */
export function describeLastFailure(error: unknown, at: number, kind?: LastFailureKind): LastFailure {
  const failure: LastFailure = { at, kind: kind ?? failureKindOf(error), message: safeMessage(error) };
  if (error instanceof RefreshError) {
    if (error.httpStatus !== undefined) failure.httpStatus = error.httpStatus;
    if (error.oauthError !== undefined) failure.oauthError = error.oauthError;
    if (error.contentType !== undefined) failure.contentType = error.contentType;
    if (error.causeCode !== undefined) failure.causeCode = error.causeCode;
  } else if (error instanceof StoreError) {
    failure.causeCode = error.errno;
  } else if (error instanceof RedisStoreError && error.causeCode !== undefined) {
    failure.causeCode = error.causeCode;
  }
  return failure;
}

function failureKindOf(error: unknown): LastFailureKind {
  if (error instanceof StoreError || error instanceof RedisStoreError) return 'store';
  if (error instanceof RefreshError) return error.kind;
  if (
    error instanceof OAuthRecoveryError &&
    (error.code === 'LOCK_TIMEOUT' || error.code === 'LOCK_COMPROMISED')
  )
    return 'store';
  return 'transient';
}

/** Our own messages never hold a token; anything else is reduced to its class name. */
function safeMessage(error: unknown): string {
  if (error instanceof OAuthRecoveryError) return error.message;
  return error instanceof Error ? error.name : 'Error';
}

/** The profile's last failure and dead-token flag, in memory and in the store. */
export class FailureRecord {
  lastFailure: LastFailure | null = null;
  refreshTokenDead = false;
  /** Fingerprint of the last refresh token known dead (this process or a persisted one), or null. */
  private deadRefreshToken: string | null = null;

  constructor(private readonly deps: FailureRecordDeps) {}

  /** Restores what the store held at start-up (`usageStats[profileId]`). */
  resume(usage: Pick<ProfileUsage, 'lastFailure' | 'refreshTokenDead' | 'deadRefreshToken'>): void {
    this.lastFailure = usage.lastFailure ?? null;
    this.refreshTokenDead = usage.refreshTokenDead === true;
    this.deadRefreshToken = usage.deadRefreshToken ?? null;
  }

  /** True when `refreshToken` is the one recorded dead (in this process or by an earlier one). */
  isKnownDead(refreshToken: string): boolean {
    return this.deadRefreshToken !== null && fingerprintToken(refreshToken) === this.deadRefreshToken;
  }

  /**
   * Records `error` (kind from the error unless given), logs it at warn level and persists it.
   * `refreshTokenDead` marks the refresh token we hold as unusable; `deadToken` is that token
   * (only its fingerprint is kept and persisted).
   */
  record(
    error: unknown,
    options: { kind?: LastFailureKind; refreshTokenDead?: boolean; deadToken?: string } = {},
  ): LastFailure {
    const failure = describeLastFailure(error, this.deps.now(), options.kind);
    this.lastFailure = failure;
    if (options.refreshTokenDead) this.refreshTokenDead = true;
    const newlyDead =
      options.refreshTokenDead && options.deadToken ? fingerprintToken(options.deadToken) : undefined;
    if (newlyDead) this.deadRefreshToken = newlyDead;
    this.deps.logger.warn(
      { event: 'recoveryFailure', failure, refreshTokenDead: this.refreshTokenDead },
      `recovery step failed (${failure.kind}): ${failure.message}`,
    );
    this.persist({
      lastFailure: failure,
      ...(this.refreshTokenDead ? { refreshTokenDead: true } : {}),
      ...(newlyDead ? { deadRefreshToken: newlyDead } : {}),
    });
    return failure;
  }

  /** A refresh or sync succeeded: the failure and the dead flag are gone (unless a save is pending). */
  clear(): void {
    if (this.deps.savePending()) {
      this.refreshTokenDead = false;
      return;
    }
    this.lastFailure = null;
    this.refreshTokenDead = false;
  }

  /** A pending save went through: a `store` failure is over. */
  clearStoreFailure(): void {
    if (this.lastFailure?.kind !== 'store') return;
    this.lastFailure = null;
    this.persist({ lastFailure: null });
  }

  private persist(patch: UsagePatch): void {
    const { store, profileId, logger, inflight } = this.deps;
    inflight.track(
      store.recordUsage(profileId, patch).catch((error: unknown) =>
        // A store failure cannot be recorded in the store: the snapshot and the log carry it.
        logger.debug({ event: 'failureWriteFailed', err: error }, 'could not persist the last failure'),
      ),
    );
  }
}
