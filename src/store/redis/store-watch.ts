/**
 * `watch` for the Redis store. Pub/sub is at-most-once, so three signals feed one debounced
 * callback: a message on `<prefix>:{*}:changed` (published by every commit, carrying a version
 * and a fingerprint only), a poll of the watched profiles' versions every `pollIntervalMs`, and
 * the connection becoming ready again after a loss (a re-check). A signal counts only when a
 * version differs from the one last seen, except reconnects, which always re-check.
 */
import type { StoreRedisClient } from './redis-client.js';

export interface StoreWatchOptions {
  /** A connection of its own (a subscribed connection can issue no other commands). */
  subscriber: StoreRedisClient;
  pattern: string;
  /** Current versions of the profiles watched. */
  readVersions(): Promise<Map<string, number>>;
  pollIntervalMs: number;
  onChange(): void;
  /** Called when a poll finds a profile's version lower than before (a failover lost commits). */
  onRegression?(profileId: string): void;
}

/** Starts watching; returns the stop function. Timers do not keep the process alive. */
export function watchStore(options: StoreWatchOptions): { stop(): void; recheck(): void } {
  let seen = new Map<string, number>();
  let stopped = false;
  let polling = false;
  /** A signal that arrived during a poll: poll once more after it (it may have read too early). */
  let again: boolean | undefined;

  async function poll(always: boolean): Promise<void> {
    if (stopped) return;
    if (polling) {
      again = (again ?? false) || always;
      return;
    }
    polling = true;
    try {
      const versions = await options.readVersions();
      let changed = always;
      for (const [profileId, version] of versions) {
        const before = seen.get(profileId);
        if (before !== undefined && version !== before) changed = true;
        if (before !== undefined && version < before) options.onRegression?.(profileId);
      }
      seen = versions;
      if (changed && !stopped) options.onChange();
    } catch {
      // Unreachable server: the next poll or the reconnect re-checks.
    } finally {
      polling = false;
    }
    if (again !== undefined) {
      const always = again;
      again = undefined;
      await poll(always);
    }
  }

  void poll(false);
  const timer = setInterval(() => void poll(false), options.pollIntervalMs);
  timer.unref();
  void options.subscriber.pSubscribe(options.pattern, () => void poll(false)).catch(() => undefined);

  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    recheck: () => void poll(true),
  };
}
