/**
 * What `status` and `doctor` show about a fleet: who holds the lease (and for how long), the
 * credential's version, who committed it and when, a spend in flight, how many refused tokens
 * the fleet remembers, and the server's replication (role, replicas, their lag in bytes).
 * Metadata only: never a token.
 */
import type { FleetStatus } from './fleet-status-shape.js';
import type { ProfileKeys } from './keys.js';
import type { StoreRedisClient } from './redis-client.js';

export type { FleetStatus } from './fleet-status-shape.js';

export async function readFleetStatus(
  client: StoreRedisClient,
  keys: ProfileKeys,
  now: number,
): Promise<FleetStatus> {
  const [cred, lease, leaseTtl, spend, deadTokens, info] = await Promise.all([
    client.hmGet(keys.cred, ['version', 'writer', 'at']),
    client.get(keys.lease),
    client.pTTL(keys.lease),
    client.hGetAll(keys.spend),
    client.sCard(keys.dead),
    client.info('replication'),
  ]);
  const [version, writer, at] = cred as Array<string | null>;
  const committedAt = at ? Number(at) : null;
  const spendHash = spend as Record<string, string>;
  return {
    version: Number(version ?? 0),
    leaseHolder: lease ?? null,
    leaseRemainingMs: lease && leaseTtl >= 0 ? leaseTtl : null,
    committedBy: writer ?? null,
    committedAt,
    commitAgeMs: committedAt === null ? null : Math.max(0, now - committedAt),
    spendInFlight: spendHash.holder ? { holder: spendHash.holder, since: Number(spendHash.at) } : null,
    deadTokens,
    replication: parseReplication(String(info)),
  };
}

/** The fields of `INFO replication` that matter here. */
export function parseReplication(info: string): FleetStatus['replication'] {
  const fields = new Map<string, string>();
  for (const line of info.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  const primaryOffset = Number(fields.get('master_repl_offset') ?? 0);
  let maxLagBytes = 0;
  for (const [name, value] of fields) {
    if (!/^slave\d+$/.test(name)) continue;
    const offset = Number(/offset=(\d+)/.exec(value)?.[1] ?? primaryOffset);
    maxLagBytes = Math.max(maxLagBytes, primaryOffset - offset);
  }
  return {
    role: fields.get('role') ?? 'unknown',
    connectedReplicas: Number(fields.get('connected_slaves') ?? 0),
    maxLagBytes,
  };
}
