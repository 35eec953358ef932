/**
 * Ends a cooldown when the store holds a credential fresher than ours: another host of a fleet
 * (or another process on the same store) refreshed while this one cooled down, e.g. after its
 * own refresh met an unreachable Redis. Like a changed Claude CLI file, that ends the cooldown
 * at once (the machine's CREDENTIALS_CHANGED: it syncs and adopts the stored pair).
 *
 * Only while the machine is in `cooldown`: the store is looked at on entry (again every
 * `retryMs` while it cannot be read, e.g. during a partition) and on every change its `watch`
 * reports (the file store's directory watch; the Redis store's publish, version polling and
 * reconnect re-check). A healthy runtime holds no watcher.
 */
import { type CredentialView, isFresher, type RecoveryStateName } from '../../machines/index.js';
import { fingerprintToken } from '../credentials/fingerprint.js';
import type { Logger } from '../logging/logger.js';
import type { ProfileStore } from '../store/types.js';

/** What the watch needs from the runtime. */
export interface StoreCooldownWatchDeps {
  store: ProfileStore;
  profileId: string;
  logger: Logger;
  /** Epoch-ms clock. */
  now: () => number;
  freshnessMarginMs: number;
  /** The credential the machine holds now. */
  held: () => CredentialView | null | undefined;
  /** The store has a fresher credential: tell the machine. */
  onFresher: () => void;
  /** Delay before looking again while the store cannot be read, ms. Default 1000. */
  retryMs?: number;
}

/** Watches the store during cooldowns (see the module comment). */
export class StoreCooldownWatch {
  private stopWatch: (() => void) | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** The look at the store in progress: `stop()` waits for it, so no store read outlives the runtime. */
  private checking: Promise<void> = Promise.resolve();

  constructor(private readonly deps: StoreCooldownWatchDeps) {}

  /** The machine entered `state`: watch in `cooldown`, stop in any other state. */
  enter(state: RecoveryStateName): void {
    if (state !== 'cooldown') {
      this.stop();
      return;
    }
    if (this.stopWatch) return;
    try {
      this.stopWatch = this.deps.store.watch(() => this.look());
    } catch (error) {
      // No watch (e.g. the store's directory is gone): the entry check and the timer still hold.
      this.deps.logger.debug({ event: 'storeWatchUnavailable', err: error }, 'cannot watch the store');
      this.stopWatch = () => undefined;
    }
    this.look();
  }

  /** Stops watching; resolves once a look at the store still in progress has ended. */
  stop(): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.stopWatch?.();
    this.stopWatch = undefined;
    return this.checking;
  }

  private look(): void {
    this.checking = this.checking.then(() => this.check());
  }

  private async check(): Promise<void> {
    const { store, profileId, now, freshnessMarginMs, logger } = this.deps;
    if (!this.stopWatch) return; // queued behind a look that ended the watch: nothing to do
    try {
      const stored = await store.readCredential(profileId);
      if (!this.stopWatch || !stored) return;
      const view: CredentialView = {
        fingerprint: fingerprintToken(stored.accessToken),
        expiresAt: stored.expiresAt,
        source: 'store',
      };
      if (!isFresher(view, this.deps.held(), now(), freshnessMarginMs)) return;
      logger.info(
        { event: 'storeFresherInCooldown' },
        'the store has a fresher credential; ending the cooldown',
      );
      void this.stop();
      this.deps.onFresher();
    } catch (error) {
      if (!this.stopWatch) return;
      logger.debug(
        { event: 'storeUnreadableInCooldown', err: error },
        'cannot read the store; looking again',
      );
      clearTimeout(this.retry);
      this.retry = setTimeout(() => this.look(), this.deps.retryMs ?? 1_000);
      this.retry.unref();
    }
  }
}
