/** The fleet state of a Redis store as `status` and `doctor` print it: metadata only, never a token. */
import type { FleetStatus } from '../store/redis/index.js';
import { formatDuration, formatTime } from './format.js';

/** One phrase per field (no label), as `status` prints them after a label and `doctor` as findings. */
export interface FleetText {
  lease: string;
  version: string;
  spending: string;
  deadTokens: string;
  replication: string;
}

/** The lease holder, version and committer, a spend in flight, dead tokens and replication in words. */
export function describeFleet(fleet: FleetStatus, now: number): FleetText {
  const lease = fleet.leaseHolder
    ? `held by ${fleet.leaseHolder}${fleet.leaseRemainingMs === null ? '' : ` (${formatDuration(fleet.leaseRemainingMs)} left)`}`
    : 'free';
  const committed = fleet.committedBy
    ? `committed by ${fleet.committedBy}${fleet.committedAt === null ? '' : ` at ${formatTime(fleet.committedAt)}`}`
    : 'never committed';
  const spend = fleet.spendInFlight
    ? `by ${fleet.spendInFlight.holder} for ${formatDuration(Math.max(0, now - fleet.spendInFlight.since))}`
    : 'none';
  const { replication } = fleet;
  return {
    lease: `lease ${lease}`,
    version: `version ${fleet.version}, ${committed}`,
    spending: `refresh token being spent: ${spend}`,
    deadTokens: `${fleet.deadTokens} refused refresh token(s) remembered by the fleet`,
    replication: `server role ${replication.role}, ${replication.connectedReplicas} replica(s), max replica lag ${replication.maxLagBytes} bytes`,
  };
}
