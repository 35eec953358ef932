/**
 * Resolves the global options against the environment, flag first:
 * `--store` / `OAUTH_RECOVERY_STORE` (a file, or `redis://…` / `rediss://…` for a fleet store) /
 * openclaw's file / our own file; `--profile`;
 * `--claude-config-dir` / `CLAUDE_CONFIG_DIR` / `~/.claude`; `--token-url` /
 * `OAUTH_RECOVERY_TOKEN_URL` / the default endpoint; `--log-level` / `OAUTH_RECOVERY_LOG_LEVEL` / info.
 */
import path from 'node:path';
import { claudeCredentialsPath } from '../credentials/claude-cli-paths.js';
import { DEFAULT_TOKEN_URL, resolveTokenUrl, selectTokenUrl } from '../oauth/token-url.js';
import { DEFAULT_PROFILE_ID } from '../runtime/options.js';
import { resolveDefaultStorePath, type StorePathOrigin } from '../store/default-store-path.js';
import { redactRedisUrl } from '../store/redis/store-options.js';
import { UsageError } from './exit-codes.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The global flags as commander parses them. */
export interface GlobalOptions {
  store?: string;
  profile?: string;
  claudeConfigDir?: string;
  tokenUrl?: string;
  json?: boolean;
  logLevel?: string;
}

export type SettingOrigin = 'flag' | 'env' | 'default';

export interface CliConfig {
  /** The store file; for a Redis store, its URL without the password (for display only). */
  storePath: string;
  storeOrigin: StorePathOrigin | 'flag';
  /** `redis://…` / `rediss://…` as given (password included) when the store is Redis, else null. */
  storeUrl: string | null;
  profileId: string;
  /** Explicit Claude config dir (flag or env); undefined means `~/.claude`. */
  claudeConfigDir: string | undefined;
  /** Where the CLI's credentials file is (on macOS the Keychain is used instead). */
  claudeCredentialsPath: string;
  /** As given; validate with {@link validatedTokenUrl} (doctor reports it instead of failing). */
  tokenUrl: string;
  tokenUrlOrigin: SettingOrigin;
  json: boolean;
  logLevel: LogLevel;
  /** True when the level came from a flag or the environment rather than the default. */
  logLevelExplicit: boolean;
  env: NodeJS.ProcessEnv;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A `--store` / `OAUTH_RECOVERY_STORE` value naming a Redis server rather than a file. */
export function isRedisStoreUrl(value: string | undefined): value is string {
  return value !== undefined && /^rediss?:\/\//i.test(value);
}

export function resolveCliConfig(options: GlobalOptions, env: NodeJS.ProcessEnv): CliConfig {
  const given = options.store || env.OAUTH_RECOVERY_STORE || undefined;
  const storeUrl = isRedisStoreUrl(given) ? given : null;
  const store = storeUrl
    ? { path: redactRedisUrl(storeUrl), origin: options.store ? ('flag' as const) : ('env' as const) }
    : options.store
      ? { path: path.resolve(options.store), origin: 'flag' as const }
      : resolveDefaultStorePath({ env });
  const claudeConfigDir = options.claudeConfigDir
    ? path.resolve(options.claudeConfigDir)
    : env.CLAUDE_CONFIG_DIR || undefined;
  const tokenUrl = options.tokenUrl ?? (env.OAUTH_RECOVERY_TOKEN_URL || undefined);
  const rawLevel = options.logLevel ?? (env.OAUTH_RECOVERY_LOG_LEVEL || undefined);
  if (rawLevel !== undefined && !isLogLevel(rawLevel)) {
    const from = options.logLevel ? '--log-level' : 'OAUTH_RECOVERY_LOG_LEVEL';
    throw new UsageError(
      `${from} must be one of ${LOG_LEVELS.join(', ')} (got "${rawLevel}")`,
      `Use e.g. \`--log-level debug\`.`,
    );
  }
  const profileId = options.profile?.trim() || DEFAULT_PROFILE_ID;
  return {
    storePath: store.path,
    storeOrigin: store.origin,
    storeUrl,
    profileId,
    claudeConfigDir,
    claudeCredentialsPath: claudeCredentialsPath({ configDir: claudeConfigDir, env }),
    tokenUrl: tokenUrl ?? DEFAULT_TOKEN_URL,
    tokenUrlOrigin: options.tokenUrl ? 'flag' : tokenUrl ? 'env' : 'default',
    json: options.json === true,
    logLevel: rawLevel ?? 'info',
    logLevelExplicit: rawLevel !== undefined,
    env,
  };
}

/**
 * The token URL after the endpoint policy: `--token-url` is the operator naming the host;
 * `OAUTH_RECOVERY_TOKEN_URL` may only name Anthropic's hosts or loopback.
 * @throws {InsecureTokenUrlError} | {ForeignTokenHostError} (both exit 2).
 */
export function validatedTokenUrl(config: CliConfig): string {
  if (config.tokenUrlOrigin === 'env')
    return selectTokenUrl({ env: { OAUTH_RECOVERY_TOKEN_URL: config.tokenUrl } }).url;
  return resolveTokenUrl(config.tokenUrl);
}
