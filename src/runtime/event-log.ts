/**
 * The runtime's log lines, as data (pino style): one per state transition (debug) and one per
 * machine event (info, or warn for a cooldown). Fingerprints and deadlines only, never a token.
 */
import type { RecoveryEmitted, RecoveryStateName } from '../../machines/index.js';
import type { Logger } from '../logging/logger.js';

/** Logs a state change; `cause` is the event the machine was processing, `durationMs` the time spent in `from`. */
export function logTransition(
  logger: Logger,
  transition: {
    from: RecoveryStateName;
    to: RecoveryStateName;
    cause: string | undefined;
    durationMs: number;
  },
): void {
  logger.debug({ event: 'transition', ...transition }, `${transition.from} → ${transition.to}`);
}

/** Logs one event the machine emitted. */
export function logEmitted(logger: Logger, event: RecoveryEmitted): void {
  switch (event.type) {
    case 'refreshed':
      logger.info(
        {
          event: 'refreshed',
          fingerprint: event.fingerprint,
          expiresAt: event.expiresAt,
          source: event.source,
        },
        'token refreshed',
      );
      break;
    case 'synced':
      logger.info(
        { event: 'synced', fingerprint: event.fingerprint, expiresAt: event.expiresAt },
        'adopted fresher credentials from the Claude CLI',
      );
      break;
    case 'recovered':
      logger.info({ event: 'recovered', durationMs: event.durationMs }, 'recovered');
      break;
    case 'cooldownStarted':
      logger.warn(
        {
          event: 'cooldownStarted',
          until: event.until,
          consecutive: event.consecutive,
          reason: event.reason,
        },
        'recovery failed; cooling down',
      );
      break;
    case 'cooldownEnded':
      logger.info({ event: 'cooldownEnded', reason: event.reason }, 'cooldown ended');
      break;
  }
}
