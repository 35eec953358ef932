/** Logging: one redacting pino logger, passed down; child loggers per profile. */
export { maskSecrets, toSafeSnippet } from '../oauth/mask-secrets.js';
export {
  type CreateLoggerOptions,
  createLogger,
  createSilentLogger,
  type Logger,
  maskValue,
  REDACT_PATHS,
  wrapCallerLogger,
} from './logger.js';
