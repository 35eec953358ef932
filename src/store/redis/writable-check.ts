/**
 * The Redis store's pre-flight check, made before a refresh token is spent (the runtime's
 * rotation guard calls `ProfileStore.checkWritable`): could a commit land now?
 *
 * "Writable" means what the server itself decides for the commit: one write command under the
 * profile's hash tag (a `SET … PX` of a probe key, so it goes to the node and slot the commit
 * goes to) succeeds within `operationTimeoutMs`. That one probe finds every refusal Redis has for
 * a write: a read-only replica (`READONLY`), memory full under `noeviction` (`OOM`), fewer
 * replicas than `min-replicas-to-write` (`NOREPLICAS`), a failed persistence with
 * `stop-writes-on-bgsave-error` (`MISCONF`), an ACL user that may not write the keys (`NOPERM`),
 * and a server that does not answer. An evicting `maxmemory-policy` still takes writes (it may
 * drop keys later): that is a server setting to fix (docs/integration.md), not a refusal here.
 */
import { RedisStoreError } from '../../errors.js';
import type { StoreConnection } from './store-connection.js';

/** How long the probe key lives, ms: long enough to be seen in a `MONITOR`, short enough to leave nothing. */
const PROBE_TTL_MS = 10_000;

/** Redis's refusals of a write, by the error reply's first word: what it means, what to do. */
const REFUSALS: Record<string, { reason: string; hint: string }> = {
  READONLY: {
    reason: 'the server is a read-only replica',
    hint: 'Point the store URL at the primary (or use Sentinel so a failover moves the hosts with it).',
  },
  OOM: {
    reason: "the server is out of memory ('maxmemory' reached with noeviction)",
    hint: 'Raise maxmemory on the server, or free memory; keep maxmemory-policy noeviction.',
  },
  NOREPLICAS: {
    reason: 'fewer replicas are connected than min-replicas-to-write asks for',
    hint: 'Bring the replicas back, or lower min-replicas-to-write on the primary.',
  },
  MISCONF: {
    reason: 'the server cannot persist to disk and refuses writes (stop-writes-on-bgsave-error)',
    hint: "Fix the server's disk (space, permissions of its dir), then check its log.",
  },
  NOPERM: {
    reason: "the ACL user may not write the store's keys",
    hint: 'Grant the user write commands on the key prefix, e.g. `~oauthrec:* +@write +@read +@scripting`.',
  },
};

/**
 * Probes one write per key in `probeKeys` (one per profile this store touched).
 * @throws {RedisStoreError} naming the refusal (its `causeCode` is the reply's first word, e.g.
 *   `READONLY`), or the unreachable server, with a hint.
 */
export async function checkRedisWritable(
  connection: StoreConnection,
  location: string,
  probeKeys: readonly string[],
  holderId: string,
): Promise<void> {
  for (const key of probeKeys) {
    try {
      await connection.op('write probe', (client) =>
        client.set(key, holderId, { expiration: { type: 'PX', value: PROBE_TTL_MS } }),
      );
    } catch (error) {
      const reply =
        error instanceof RedisStoreError ? (error.cause as Error | undefined)?.message : undefined;
      const code = reply?.match(/^([A-Z]+) /)?.[1];
      const refusal = code ? REFUSALS[code] : undefined;
      if (!refusal || !code) throw error;
      throw new RedisStoreError(location, `not writable: ${refusal.reason} (${code})`, {
        cause: error,
        hint: refusal.hint,
        causeCode: code,
      });
    }
  }
}
