/**
 * The CLI's logger: always stderr (stdout is for results). On a terminal, pino-pretty lines
 * (in this thread, synchronous, so nothing is lost when the process ends); otherwise NDJSON,
 * one object per line, for journald, Docker and log shippers. Same redaction and masking as
 * the library's logger.
 */
import type { DestinationStream } from 'pino';
import { build as buildPretty } from 'pino-pretty';
import { createLogger, type Logger } from '../logging/logger.js';
import type { LogLevel } from './config.js';
import type { CliIo } from './output.js';

export function createCliLogger(io: CliIo, level: LogLevel): Logger {
  if (io.stderr.isTTY === true) {
    const pretty = buildPretty({
      colorize: true,
      sync: true,
      singleLine: true,
      ignore: 'pid,hostname,name',
      translateTime: 'SYS:HH:MM:ss.l',
      destination: 2,
    });
    return createLogger({ level, destination: pretty as unknown as DestinationStream });
  }
  return createLogger({ level, destination: { write: (line: string) => io.stderr.write(line) } });
}
