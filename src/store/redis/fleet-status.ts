/**
 * What `status` and `doctor` show about a fleet: who holds the lease (and for how long), the
 * credential's version, who committed it and when, a spend in flight, how many refused tokens
 * the fleet remembers, and the server's replication (role, replicas, their lag in bytes).
 * Metadata only: never a token.
 */
import type { ProfileKeys } from './keys.js';
import type { StoreRedisClient } from './redis-client.js';

/** A profile's fleet state. Times are epoch ms, durations ms. */
export interface FleetStatus {
  /** The credential's version: bumped by every commit (compare-and-set), 0 before the first. */
  version: number;
  /** `<holder>/<fence>` of the current lease holder, or null. */
  leaseHolder: string | null;
  /** Time left on the current lease, ms (the key's PTTL), or null when no lease is held. */
  leaseRemainingMs: number | null;
  /** Holder id of the process that committed the current version, or null before the first commit. */
  committedBy: string | null;
  /** When the current version was committed, epoch ms, or null before the first commit. */
  committedAt: number | null;
  /** Time since the last commit (now − committedAt), or null. */
  commitAgeMs: number | null;
  /** A refresh token being spent right now: by whom and since when. */
  spendInFlight: { holder: string; since: number } | null;
  /** How many refused refresh-token digests the fleet remembers (the dead set's size). */
  deadTokens: number;
  /** The server's `INFO replication`: its role, connected replicas and their largest lag. */
  replication: {
    role: string;
    connectedReplicas: number;
    /** Largest replica lag behind the primary's offset, bytes (0 with no replicas). */
    maxLagBytes: number;
  };
}

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
