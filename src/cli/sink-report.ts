/**
 * The sinks' part of `status` and `doctor`: what the last `watch` published where, read from
 * the status file it keeps (metadata only; `status` does not open the runtimes' stores).
 */
import { readSinkStatus, type SinkStatusRecord, sinkStatusFilePath } from '../sinks/sink-status-file.js';
import type { CliConfig } from './config.js';
import { formatTime } from './format.js';

/** The record of the profile's sinks, or null when no `watch --sink` has run for it. */
export function readSinkReport(config: CliConfig): Promise<SinkStatusRecord | null> {
  return readSinkStatus(sinkStatusFilePath({ env: config.env }), config.profileId);
}

/** One line per sink, e.g. `openclaw ~/.openclaw (shared store, …): published 10:02, token expires 18:02`. */
export function describeSinks(record: SinkStatusRecord | null, now: number): string[] {
  if (!record || record.sinks.length === 0)
    return ['none (run `oauth-recovery watch --sink openclaw|pi|exec:…`)'];
  return record.sinks.map((sink) => {
    const published =
      sink.lastPublishAt === null
        ? 'never published'
        : `published ${formatTime(sink.lastPublishAt)}, token expires ${formatTime(sink.lastPublishedExpiresAt ?? 0)}${
            (sink.lastPublishedExpiresAt ?? 0) <= now ? ' (EXPIRED: is watch running?)' : ''
          }`;
    const failed = sink.lastError
      ? `; last error ${formatTime(sink.lastError.at)}: ${sink.lastError.message}`
      : '';
    return `${sink.kind} ${sink.target}: ${published}${failed}`;
  });
}
