/**
 * What `watch` adds to make it the host's single refresher: the sinks named by `--sink`, a
 * status file `status` and `doctor` read, and a refresh point early enough that no runtime
 * fed by it (openclaw, pi and Claude Code all refresh ~5 min before expiry) reaches its own
 * refresh window while `watch` runs.
 */
import type { RecoveryPolicy } from '../../machines/index.js';
import type { Logger } from '../logging/logger.js';
import type { AuthRecoveryOptions } from '../runtime/index.js';
import { parseSinkSpec } from '../sinks/sink-spec.js';
import { sinkStatusFilePath, writeSinkStatus } from '../sinks/sink-status-file.js';
import type { CliConfig } from './config.js';

/** `watch` refreshes 15 min before expiry, minus up to 5 min of jitter (several hosts spread out). */
export const WATCH_POLICY: Pick<RecoveryPolicy, 'refreshWindowMs' | 'refreshJitterMs'> = {
  refreshWindowMs: 15 * 60_000,
  refreshJitterMs: 5 * 60_000,
};

/** `watch`'s sink flags as commander parses them. */
export interface WatchSinkFlags {
  sink?: string[];
  openclawAgent?: string;
  openclawProfile?: string;
  openclawOrder?: boolean;
}

/** Collects a repeatable flag. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The runtime options `watch` adds: its policy, and the sinks with their status persisted;
 * `flush` waits for the last status write (call it after `stop()`).
 * @throws {SinkError} for an unknown `--sink` kind (exit 1 before anything starts).
 */
export function watchRuntimeOptions(
  config: CliConfig,
  flags: WatchSinkFlags,
  logger: Logger,
): { options: Partial<AuthRecoveryOptions>; flush: () => Promise<void> } {
  const sinks = (flags.sink ?? []).map((spec) =>
    parseSinkSpec(spec, {
      env: config.env,
      openclawAgent: flags.openclawAgent,
      openclawProfileId: flags.openclawProfile,
      openclawPreferInOrder: flags.openclawOrder === true,
    }),
  );
  const options: Partial<AuthRecoveryOptions> = { policy: { ...WATCH_POLICY } };
  let writing = Promise.resolve();
  const flush = () => writing;
  if (sinks.length === 0) return { options, flush };
  const statusFile = sinkStatusFilePath({ env: config.env });
  options.sinks = sinks;
  options.onSinkStatus = (statuses) => {
    // One write at a time, in order; a failed status write is only logged.
    writing = writing
      .then(() => writeSinkStatus(statusFile, config.profileId, { updatedAt: Date.now(), sinks: statuses }))
      .catch((error: unknown) =>
        logger.warn(
          { event: 'sinkStatusWriteFailed', err: error, file: statusFile },
          'could not save sink status',
        ),
      );
  };
  return { options, flush };
}
