/**
 * The shape of a fleet's status, apart from the code that reads it: the public types reach it
 * without reaching the Redis client's types (`@redis/client` is an optional peer, so a consumer
 * compiling without it must not meet an import of it in our `.d.ts` files).
 */

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
