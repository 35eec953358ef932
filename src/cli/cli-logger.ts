/**
 * The CLI's logger: always stderr (stdout is for results). On a terminal, pino-pretty lines
 * (in this thread, synchronous, so nothing is lost when the process ends) when the optional
 * `pino-pretty` is installed; otherwise NDJSON,
 * one object per line, for journald, Docker and log shippers. Same redaction and masking as
 * the library's logger.
 */
import type { DestinationStream } from 'pino';
import { MissingDependencyError } from '../errors.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { requireOptional } from '../optional-dependency.js';
import type { LogLevel } from './config.js';
import type { CliIo } from './output.js';

export function createCliLogger(io: CliIo, level: LogLevel): Logger {
  const buildPretty = io.stderr.isTTY === true ? loadPinoPretty() : undefined;
  if (buildPretty !== undefined) {
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

/** pino-pretty's `build`, or undefined when the optional package is not installed (NDJSON then). */
function loadPinoPretty(): typeof import('pino-pretty')['build'] | undefined {
  try {
    return requireOptional<typeof import('pino-pretty')>('pino-pretty', 'pretty CLI logs').build;
  } catch (error) {
    if (error instanceof MissingDependencyError) return undefined;
    throw error;
  }
}
