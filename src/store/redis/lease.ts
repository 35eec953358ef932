/**
 * The per-profile lease: `SET lease <holder>/<fence> NX PX ttl` with the fence taken by `INCR`
 * in the same script, renewed (compare-on-value) every ttl/3 while held, released by a
 * compare-on-value delete. A lease is an optimisation (one refresher at a time), not the safety
 * guard: a holder paused past its ttl can lose it, which is why commits are compare-and-set on
 * the credential version and fenced (see commit in scripts.ts).
 */
import { LockTimeoutError } from '../../errors.js';
import type { ProfileKeys } from './keys.js';
import { DEFAULT_LEASE_TTL_MS, type LeaseOptions } from './lease-options.js';
import type { StoreRedisClient } from './redis-client.js';

/** A lease held by this process. */
export interface HeldLease {
  /** The stored value, `<holder>/<fence>`. */
  readonly value: string;
  readonly fence: number;
  /** False once a renewal found the lease gone or taken. */
  readonly held: boolean;
  release(): Promise<void>;
}

/**
 * Waits for the profile's lease and holds it, renewing, until `release()`.
 * @throws LockTimeoutError after `waitMs` without the lease (names the lease key).
 */
export async function acquireLease(
  client: StoreRedisClient,
  keys: ProfileKeys,
  holder: string,
  options: LeaseOptions = {},
): Promise<HeldLease> {
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const waitMs = options.waitMs ?? ttlMs * 1.5;
  const { min, max } = options.retryDelayMs ?? { min: 2, max: 50 };
  const started = Date.now();
  let delay = min;
  for (;;) {
    const fence = await withDeadline(
      client.acquireLease(keys.lease, keys.fence, holder, ttlMs),
      started + waitMs,
      keys.lease,
    );
    if (fence > 0) return holdLease(client, keys, `${holder}/${fence}`, fence, ttlMs);
    if (Date.now() - started >= waitMs) throw new LockTimeoutError(keys.lease, waitMs);
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random() / 2)));
    delay = Math.min(max, delay * 2);
  }
}

function holdLease(
  client: StoreRedisClient,
  keys: ProfileKeys,
  value: string,
  fence: number,
  ttlMs: number,
): HeldLease {
  let held = true;
  let released = false;
  const timer = setInterval(
    () => {
      client.renewLease(keys.lease, value, ttlMs).then(
        (renewed) => {
          if (!renewed) held = false;
        },
        () => undefined, // unreachable for now; the commit's compare-and-set decides
      );
    },
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    value,
    fence,
    get held() {
      return held;
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      // Best effort, and bounded: a server cut off by a partition may never answer (the
      // command waits in the socket), and then the lease expires by itself.
      await withDeadline(
        client.releaseLease(keys.lease, value),
        Date.now() + Math.min(1_000, ttlMs),
        keys.lease,
      ).catch(() => undefined);
    },
  };
}

/** A command that does not answer by `deadline` (server unreachable) becomes LockTimeoutError. */
function withDeadline<T>(command: Promise<T>, deadline: number, lockKey: string): Promise<T> {
  const remaining = Math.max(1, deadline - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LockTimeoutError(lockKey, remaining)), remaining);
  });
  void command.catch(() => undefined);
  return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
}
