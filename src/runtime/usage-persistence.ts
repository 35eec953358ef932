/**
 * Writes the machine's outcomes into the store's usage stats (openclaw's `usageStats[profileId]`):
 * a cooldown's deadline and error count, and their reset on recovery. One write per outcome,
 * in the background, tracked so `stop()` waits for it; a failed write is logged, not thrown.
 */
import type { RecoveryEmitted } from '../../machines/index.js';
import type { Logger } from '../logging/logger.js';
import type { ProfileStore } from '../store/types.js';
import type { InflightWork } from './inflight-work.js';

/** What `UsagePersistence` needs from the runtime. */
export interface UsagePersistenceDeps {
  store: ProfileStore;
  profileId: string;
  /** Epoch-ms clock. */
  now: () => number;
  logger: Logger;
  inflight: InflightWork;
  /** True while a rotated pair waits to be saved. */
  savePending?: () => boolean;
}

/** Records cooldowns and recoveries in the store, once each. */
export class UsagePersistence {
  /** The cooldown deadline (epoch ms) the store already holds, so a resumed cooldown is not counted twice. */
  private persistedCooldownUntil: number | null = null;

  constructor(private readonly deps: UsagePersistenceDeps) {}

  /**
   * Remembers the deadline loaded at start-up as the machine honours it (`clamped`, epoch ms, or
   * null). When that differs from what the store holds (`stored`: another tool wrote a deadline
   * beyond our `cooldownMaxMs`), the clamped deadline is written back once, so `status` and
   * every other reader see the deadline this runtime keeps.
   */
  resume(stored: number | null, clamped: number | null): void {
    this.persistedCooldownUntil = clamped;
    if (stored === null || clamped === null || stored === clamped) return;
    const { store, profileId, logger } = this.deps;
    logger.warn(
      { event: 'cooldownClamped', stored, cooldownUntil: clamped },
      'a stored cooldown beyond the policy maximum was cut to it',
    );
    this.deps.inflight.track(
      store
        .recordUsage(profileId, { cooldownUntil: clamped })
        .catch((error: unknown) =>
          logger.warn({ event: 'usageWriteFailed', err: error }, 'could not record usage stats'),
        ),
    );
  }

  /** Records `event` if it is a new cooldown or a recovery; ignores every other event. */
  record(event: RecoveryEmitted): void {
    const { store, profileId, now } = this.deps;
    // A restored or resumed cooldown (same deadline) is not a new failure: nothing to record.
    if (event.type === 'cooldownStarted' && event.until === this.persistedCooldownUntil) return;
    if (event.type === 'cooldownStarted') this.persistedCooldownUntil = event.until;
    // Every success ends in `ok`, which emits `recovered` (after `refreshed` or `synced`): one write.
    if (event.type === 'recovered') this.persistedCooldownUntil = null;
    const write =
      event.type === 'cooldownStarted'
        ? store.recordUsage(profileId, (usage) => ({
            cooldownUntil: event.until,
            errorCount: (usage.errorCount ?? 0) + 1,
            lastFailureAt: now(),
          }))
        : event.type === 'recovered'
          ? store.recordUsage(profileId, {
              cooldownUntil: null,
              errorCount: 0,
              lastUsed: now(),
              // A pending save keeps its `store` failure (the runtime still reports it).
              ...(this.deps.savePending?.() ? {} : { lastFailure: null }),
              refreshTokenDead: null,
            })
          : undefined;
    if (!write) return;
    this.deps.inflight.track(
      write.catch((error: unknown) =>
        this.deps.logger.warn({ event: 'usageWriteFailed', err: error }, 'could not record usage stats'),
      ),
    );
  }
}
