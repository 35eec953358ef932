/**
 * One pino logger for the library, passed down; child loggers per profile. Secrets are kept
 * out twice: redaction paths for every field that can hold a token, and a value-level mask
 * (`sk-ant-…`, `Bearer …`) applied to every string pino formats, so a token that slips into a
 * message or an unexpected field is still masked.
 */
import pino, { type DestinationStream, type LoggerOptions, type Logger as PinoLogger } from 'pino';
import { maskSecrets } from '../oauth/mask-secrets.js';
import { assertInstalled } from '../optional-dependency.js';

/** pino's `Logger`: what `createLogger` returns and what the `logger` options accept. */
export type Logger = PinoLogger;

/** Every field name that can carry a secret, at any of the depths we log. */
export const REDACT_PATHS = [
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'access',
  'refresh',
  'token',
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  'headers["x-api-key"]',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.access',
  '*.refresh',
  '*.token',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'credential.accessToken',
  'credential.refreshToken',
];

/** Deep-copies plain data with every string masked; errors become {name, code, message}. */
export function maskValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) {
    const { code, kind, status } = value as Error & { code?: unknown; kind?: unknown; status?: unknown };
    return { name: value.name, code, kind, status, message: maskSecrets(value.message) };
  }
  if (Array.isArray(value)) return value.map((item) => maskValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = maskValue(item, depth + 1);
  return out;
}

/**
 * The arguments of one log call, masked: the message and every format argument (`%s`, `%o`,
 * `%j`), and an error passed first (pino would copy its raw message into `msg`) becomes
 * `{ err }` plus its masked message. A leading merge object is left to `formatters.log`, so
 * the redaction paths still see its keys.
 */
export function maskLogArguments(args: readonly unknown[]): unknown[] {
  const [first, ...rest] = args;
  const masked = rest.map((arg) => maskValue(arg));
  if (first instanceof Error) {
    const message = typeof masked[0] === 'string' ? [] : [maskSecrets(first.message)];
    return [{ err: first }, ...message, ...masked];
  }
  return [typeof first === 'string' ? maskSecrets(first) : first, ...masked];
}

const LEVEL_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** A logger whose level methods mask their arguments, and whose children do too. */
function withMaskedArguments(logger: Logger): Logger {
  return new Proxy(logger, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof property === 'string' && LEVEL_METHODS.has(property)) {
        return (...args: unknown[]) => value.apply(target, maskLogArguments(args));
      }
      if (property === 'child') {
        return (...args: unknown[]) => withMaskedArguments(value.apply(target, args) as Logger);
      }
      return value;
    },
  });
}

export interface CreateLoggerOptions {
  level?: string;
  /** Where NDJSON goes; default stderr so stdout stays free for `--json` output. */
  destination?: DestinationStream;
  /** Pretty, coloured lines for people, e.g. on a terminal. Needs the optional peer `pino-pretty`. */
  pretty?: boolean;
}

/**
 * The library's pino logger: NDJSON on stderr (or `destination`), level from `level`, else
 * `OAUTH_RECOVERY_LOG_LEVEL`, else `info`; token fields redacted and `sk-ant-` values masked.
 * @throws MissingDependencyError when `pretty` is set and `pino-pretty` is not installed.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const level = options.level ?? process.env.OAUTH_RECOVERY_LOG_LEVEL ?? 'info';
  const config: LoggerOptions = {
    name: 'oauth-recovery',
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: {
      log: (object) => maskValue(object) as Record<string, unknown>,
    },
    hooks: {
      // The message and its format arguments are formatted outside `formatters.log`; mask them here.
      logMethod(args, method) {
        method.apply(this, maskLogArguments(args) as Parameters<typeof method>);
      },
    },
  };
  if (options.pretty) {
    assertInstalled('pino-pretty', 'createLogger({ pretty: true })');
    return pino({
      ...config,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, ignore: 'pid,hostname' },
      },
    });
  }
  return pino(config, options.destination ?? pino.destination({ dest: 2, sync: false }));
}

/** A logger that discards everything, for embedders that pass none and tests. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Makes a caller-supplied pino logger safe too: same redaction and masking on a child. A child
 * cannot take pino's `logMethod` hook, so its level methods mask their arguments themselves.
 */
export function wrapCallerLogger(logger: Logger): Logger {
  return withMaskedArguments(
    logger.child(
      {},
      {
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
        formatters: { log: (object: object) => maskValue(object) as object },
      },
    ),
  );
}
