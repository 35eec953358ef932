/**
 * Option resolution: every default in one place (as pino resolves its options once), so the
 * rest of the runtime works with a complete, read-only object.
 */
import type { ActorOptions, AnyActorLogic } from 'xstate';
import { type RecoveryPolicy, resolvePolicy } from '../../machines/index.js';
import { type ClaudeCliSource, createClaudeCliSource } from '../credentials/claude-cli-source.js';
import type { InspectOption } from '../inspect/types.js';
import { createSilentLogger, type Logger, wrapCallerLogger } from '../logging/logger.js';
import { isAuthRejection } from '../oauth/auth-rejection.js';
import { createOAuthClient, type OAuthClient } from '../oauth/refresh-client.js';
import { selectTokenUrl } from '../oauth/token-url.js';
import { resolveDefaultStorePath } from '../store/default-store-path.js';
import { createFileProfileStore } from '../store/file-profile-store.js';
import type { ProfileStore } from '../store/types.js';
import { type AuthRecoveryOptions, DEFAULT_PROFILE_ID, type RecoveryMode } from './options.js';
import { REAL_TIMERS, type TimerClock } from './save-retry.js';

/** The runtime's parts and settings with every default filled in. */
export interface ResolvedRuntimeOptions {
  readonly profileId: string;
  /** Epoch-ms clock. */
  readonly now: () => number;
  /** 0 ≤ r < 1. */
  readonly random: () => number;
  /** XState clock for the machine's timers; undefined = real timers. */
  readonly clock: ActorOptions<AnyActorLogic>['clock'] | undefined;
  readonly policy: RecoveryPolicy;
  /** Already wrapped with redaction and bound to the profile id. */
  readonly logger: Logger;
  readonly store: ProfileStore;
  /** null when syncing from the CLI is disabled. */
  readonly cli: ClaudeCliSource | null;
  readonly oauth: OAuthClient;
  readonly mode: RecoveryMode;
  readonly nudgeCommand: readonly string[] | undefined;
  /** ms. */
  readonly nudgeTimeoutMs: number;
  readonly watchCli: boolean;
  readonly inspect: InspectOption | undefined;
  /** Timers for the save retry: the XState clock when given, else real (unref'd) timers. */
  readonly timers: TimerClock;
  /** Built-in auth-rejection test plus the embedder's extra one. */
  readonly isRejection: (error: unknown) => boolean;
}

/**
 * Fills in the defaults of `options` and builds the default store, CLI reader and OAuth client.
 * The grouped `transport` and `time` settings win over their deprecated flat aliases.
 *
 * @throws {RangeError} when a `policy` value is out of range (see `resolvePolicy`).
 * @throws {InsecureTokenUrlError} when the token URL is plain http to a non-loopback host.
 */
export function resolveRuntimeOptions(options: AuthRecoveryOptions): ResolvedRuntimeOptions {
  const env = options.env ?? process.env;
  const profileId = options.profileId ?? DEFAULT_PROFILE_ID;
  const time = options.time ?? {};
  const transport = options.transport ?? {};
  const now = time.now ?? options.now ?? Date.now;
  const policy = resolvePolicy(options.policy);
  const logger = (options.logger ? wrapCallerLogger(options.logger) : createSilentLogger()).child({
    profileId,
  });
  const store: ProfileStore =
    typeof options.store === 'object'
      ? options.store
      : createFileProfileStore({
          path: options.store ?? resolveDefaultStorePath({ env }).path,
          now,
          marginMs: policy.freshnessMarginMs,
        });
  const cli =
    options.cliSource === false
      ? null
      : (options.cliSource ??
        createClaudeCliSource({
          configDir: options.claudeConfigDir,
          env,
          now,
          marginMs: policy.freshnessMarginMs,
        }));
  const oauth =
    options.oauthClient ??
    createOAuthClient({
      // The token URL is read from the environment only when the embedder passed `env`.
      tokenUrl: selectTokenUrl({
        tokenUrl: transport.tokenUrl ?? options.tokenUrl,
        env: options.env,
        allowedTokenHosts: transport.allowedTokenHosts,
      }).url,
      clientId: transport.clientId ?? options.clientId,
      fetch: transport.fetch ?? options.fetch,
      timeoutMs: transport.requestTimeoutMs ?? options.requestTimeoutMs,
      now,
    });
  const extraRejection = options.isAuthRejection;
  const clock = time.clock ?? options.clock;
  return {
    profileId,
    now,
    random: time.random ?? options.random ?? Math.random,
    clock,
    timers: clock ?? REAL_TIMERS,
    policy,
    logger,
    store,
    cli,
    oauth,
    mode: options.mode ?? 'writeBack',
    nudgeCommand: options.nudgeCommand,
    nudgeTimeoutMs: options.nudgeTimeoutMs ?? 30_000,
    watchCli: options.watchCli !== false,
    inspect: options.inspect,
    isRejection: (error) => isAuthRejection(error) || (extraRejection?.(error) ?? false),
  };
}
