/** What an embedder can configure. Defaults are filled in by `resolveRuntimeOptions`. */
import type { ActorOptions, AnyActorLogic } from 'xstate';
import type { RecoveryPolicy } from '../../machines/index.js';
import type { ClaudeCliSource } from '../credentials/claude-cli-source.js';
import type { InspectOption } from '../inspect/types.js';
import type { Logger } from '../logging/logger.js';
import type { FetchLike, OAuthClient } from '../oauth/refresh-client.js';
import type { Sink, SinkStatus } from '../sinks/types.js';
import type { ProfileStore } from '../store/types.js';

/** The profile id used when none is given: the one openclaw uses for a Claude Code login. */
export const DEFAULT_PROFILE_ID = 'anthropic:claude-cli';

/**
 * `writeBack` (default): we refresh the token ourselves and write the rotated pair back to the
 * CLI's credentials so the CLI keeps working. `delegate`: we never spend the CLI's refresh
 * token; the CLI refreshes (optionally nudged by `nudgeCommand`) and we only re-read it.
 */
export type RecoveryMode = 'writeBack' | 'delegate';

/** How the built-in OAuth client reaches the token endpoint. Ignored when `oauthClient` is given. */
export interface TransportOptions {
  /**
   * Token endpoint (default https://platform.claude.com/v1/oauth/token; plain http only to
   * loopback). Naming it here allows its host. `OAUTH_RECOVERY_TOKEN_URL` is read only when
   * `env` is given, and only for Anthropic's hosts, loopback, or `allowedTokenHosts`.
   */
  tokenUrl?: string;
  /** Extra hosts (besides Anthropic's and loopback) a token URL from `env` may name, e.g. `['auth.proxy.internal']`. */
  allowedTokenHosts?: readonly string[];
  /** OAuth client id (default Claude Code's, `9d1c250a-e61b-44d9-88ed-5944d1962f5e`). */
  clientId?: string;
  /** The `fetch` to use (default the global one). */
  fetch?: FetchLike;
  /** Per-request timeout, in ms (default the client's, see `createOAuthClient`). */
  requestTimeoutMs?: number;
}

/**
 * Time and randomness, which must be kept in step (tests pass one simulated clock to all).
 * Default: the real ones.
 */
export interface TimeOptions {
  /** Epoch-ms clock for freshness and deadlines. Default `Date.now`. */
  now?: () => number;
  /** 0 ≤ r < 1 for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** XState clock for the machine's timers (e.g. `SimulatedClock` in tests); must agree with `now`. */
  clock?: ActorOptions<AnyActorLogic>['clock'];
}

/** The options of `createAuthRecovery`. Every field is optional. */
export interface AuthRecoveryOptions {
  /** Profile id in the store. Default `anthropic:claude-cli`. */
  profileId?: string;
  /** A store instance, or the path of an `auth-profiles.json`. Default: see README (`OAUTH_RECOVERY_STORE`, openclaw's file, or our own). */
  store?: ProfileStore | string;
  /** The Claude Code CLI's credentials; `false` disables syncing from the CLI. */
  cliSource?: ClaudeCliSource | false;
  /** Claude Code's config dir (default `$CLAUDE_CONFIG_DIR` or `~/.claude`). */
  claudeConfigDir?: string;
  /** The built-in OAuth client's endpoint, client id, fetch and timeout. Ignored when `oauthClient` is given. */
  transport?: TransportOptions;
  /** A ready OAuth client (tests, custom transports). When given, `transport` is not used. */
  oauthClient?: OAuthClient;
  /** `writeBack` (default) or `delegate`; see `RecoveryMode`. */
  mode?: RecoveryMode;
  /** Delegate mode: a command run before re-reading the CLI, e.g. `['claude', 'auth', 'status']`. */
  nudgeCommand?: readonly string[];
  /** Delegate mode: how long the nudge command may run, in ms. Default 30 000. */
  nudgeTimeoutMs?: number;
  /** Overrides of `DEFAULT_POLICY` (windows, retries, backoff, cooldown; all in ms or counts). */
  policy?: Partial<RecoveryPolicy>;
  /** Extra test for "this error means the token was rejected", on top of the built-in one. */
  isAuthRejection?: (error: unknown) => boolean;
  /** A pino logger to use (it is wrapped with our redaction). Default: a silent logger. */
  logger?: Logger;
  /** Watch the CLI's credentials for changes (a new login ends a cooldown at once). Default true. */
  watchCli?: boolean;
  /** Injected time and randomness (`now`, `random`, `clock`). Default: the real ones. */
  time?: TimeOptions;
  /** Connect the XState inspector (see docs/inspector.md). */
  inspect?: InspectOption;
  /**
   * Environment to read `OAUTH_RECOVERY_*` and `CLAUDE_CONFIG_DIR` from. Default `process.env`
   * for the store and CLI paths; `OAUTH_RECOVERY_TOKEN_URL` is read only when `env` is given.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Runtimes to publish the access token into after start, every refresh and every sync
   * (openclaw's SQLite store, pi's auth.json, a command; see `createOpenclawSink` and friends).
   * They get the access token and its expiry (epoch ms), never the refresh token; a failing
   * sink is logged and retried and never affects the refresh (docs/integration.md).
   */
  sinks?: readonly Sink[];
  /** Called with every sink's status after each publish round (e.g. to persist it for `status`). */
  onSinkStatus?: (statuses: SinkStatus[]) => void;
  /** @deprecated Use `transport.tokenUrl`. */
  tokenUrl?: string;
  /** @deprecated Use `transport.clientId`. */
  clientId?: string;
  /** @deprecated Use `transport.fetch`. */
  fetch?: FetchLike;
  /** @deprecated Use `transport.requestTimeoutMs`. */
  requestTimeoutMs?: number;
  /** @deprecated Use `time.now`. */
  now?: () => number;
  /** @deprecated Use `time.random`. */
  random?: () => number;
  /** @deprecated Use `time.clock`. */
  clock?: ActorOptions<AnyActorLogic>['clock'];
}
