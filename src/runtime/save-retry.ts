/**
 * A rotated pair whose save to our store failed (disk full, read-only, permissions, lock).
 * From the endpoint's 200 the pair is the live login: it stays in the vault and is served,
 * and the save is retried with capped exponential backoff on the runtime's clock until it
 * lands or the runtime stops (`stop()` makes one last attempt). Never sends a token.
 */
import { type RecoveryPolicy, retryBackoffMs } from '../../machines/index.js';
import { isCredentialFresher } from '../credentials/freshness.js';
import type { OAuthCredential } from '../credentials/types.js';
import type { Logger } from '../logging/logger.js';
import type { ProfileStore } from '../store/types.js';
import type { FailureRecord } from './failure-record.js';
import type { InflightWork } from './inflight-work.js';

/** The timer functions of XState's clock interface (real timers, or a SimulatedClock in tests). */
export interface TimerClock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

/** What the retry needs from the runtime. */
export interface SaveRetryDeps {
  store: ProfileStore;
  profileId: string;
  policy: RecoveryPolicy;
  /** Epoch-ms clock. */
  now: () => number;
  random: () => number;
  timers: TimerClock;
  logger: Logger;
  inflight: InflightWork;
  failures: FailureRecord;
}

interface Unsaved {
  credential: OAuthCredential;
  /** The refresh token spent to get `credential`: the stored pair died with it. */
  spent: string;
  attempt: number;
}

/** Real timers that do not keep the process alive (a save retry alone is no reason to stay up). */
export const REAL_TIMERS: TimerClock = {
  setTimeout: (fn, timeout) => {
    const timer = setTimeout(fn, timeout);
    timer.unref();
    return timer;
  },
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

/** Holds at most one unsaved pair (the newest) and retries its save. */
export class SaveRetry {
  private unsaved: Unsaved | undefined;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly deps: SaveRetryDeps) {}

  /** The live pair that is not in the store yet, or undefined. */
  get pending(): OAuthCredential | undefined {
    return this.unsaved?.credential;
  }

  /** Takes over `credential` (got by spending `spent`) after its save failed with `error`, and schedules a retry. */
  hold(credential: OAuthCredential, spent: string, error: unknown): void {
    this.unsaved = { credential, spent, attempt: 0 };
    this.deps.failures.record(error, { kind: 'store' });
    this.schedule();
  }

  /** One save attempt now; resolves true when nothing is left unsaved. Never rejects. */
  async flush(): Promise<boolean> {
    const unsaved = this.unsaved;
    if (!unsaved) return true;
    this.cancelTimer();
    const { store, profileId, logger, failures } = this.deps;
    let outcome: 'saved' | 'superseded';
    try {
      outcome = await this.deps.inflight.track(
        store.updateCredential(profileId, (current) => {
          // Someone else stored a better login (another process, a new `claude` login): ours is moot.
          const superseded =
            current !== null &&
            current.refreshToken !== unsaved.spent &&
            isCredentialFresher(
              current,
              unsaved.credential,
              this.deps.now(),
              this.deps.policy.freshnessMarginMs,
            );
          return superseded
            ? { write: null, result: 'superseded' as const }
            : { write: unsaved.credential, result: 'saved' as const, replacesSpent: unsaved.spent };
        }),
      );
    } catch (error) {
      if (this.unsaved !== unsaved) return this.unsaved === undefined;
      unsaved.attempt += 1;
      failures.record(error, { kind: 'store' });
      this.schedule();
      return false;
    }
    if (this.unsaved === unsaved) this.unsaved = undefined;
    logger.info(
      { event: outcome === 'saved' ? 'saveRecovered' : 'saveSuperseded', attempts: unsaved.attempt + 1 },
      outcome === 'saved'
        ? 'saved the rotated pair to the store'
        : 'the store holds a fresher login than the unsaved pair',
    );
    failures.clearStoreFailure();
    return this.unsaved === undefined;
  }

  /** No more timers; a last attempt is made by the caller's `flush()` if it wants one. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer();
  }

  private schedule(): void {
    if (this.stopped || !this.unsaved) return;
    this.cancelTimer();
    const delay = retryBackoffMs(this.unsaved.attempt, this.deps.policy, this.deps.random);
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    this.deps.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
