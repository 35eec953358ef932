/** What an embedder can configure, and how unset options are filled in. */
import type { ActorOptions, AnyActorLogic } from 'xstate';
import type { RecoveryPolicy } from '../../machines/index.js';
import type { ClaudeCliSource } from '../credentials/claude-cli-source.js';
import type { InspectOption } from '../inspect/types.js';
import type { Logger } from '../logging/logger.js';
import type { FetchLike, OAuthClient } from '../oauth/refresh-client.js';
import type { ProfileStore } from '../store/types.js';

export const DEFAULT_PROFILE_ID = 'anthropic:claude-cli';

/**
 * `writeBack` (default): we refresh the token ourselves and write the rotated pair back to the
 * CLI's credentials so the CLI keeps working. `delegate`: we never spend the CLI's refresh
 * token; the CLI refreshes (optionally nudged by `nudgeCommand`) and we only re-read it.
 */
export type RecoveryMode = 'writeBack' | 'delegate';

export interface AuthRecoveryOptions {
  /** Profile id in the store. Default `anthropic:claude-cli`. */
  profileId?: string;
  /** A store instance, or the path of an `auth-profiles.json`. Default: see README (`OAUTH_RECOVERY_STORE`, openclaw's file, or our own). */
  store?: ProfileStore | string;
  /** The Claude Code CLI's credentials; `false` disables syncing from the CLI. */
  cliSource?: ClaudeCliSource | false;
  /** Claude Code's config dir (default `$CLAUDE_CONFIG_DIR` or `~/.claude`). */
  claudeConfigDir?: string;
  /** Token endpoint (default `$OAUTH_RECOVERY_TOKEN_URL` or https://platform.claude.com/v1/oauth/token). */
  tokenUrl?: string;
  clientId?: string;
  /** A ready OAuth client (tests, custom transports). Overrides tokenUrl/clientId/fetch. */
  oauthClient?: OAuthClient;
  fetch?: FetchLike;
  requestTimeoutMs?: number;
  mode?: RecoveryMode;
  /** Delegate mode: a command run before re-reading the CLI, e.g. `['claude', 'auth', 'status']`. */
  nudgeCommand?: readonly string[];
  nudgeTimeoutMs?: number;
  policy?: Partial<RecoveryPolicy>;
  /** Extra test for "this error means the token was rejected", on top of the built-in one. */
  isAuthRejection?: (error: unknown) => boolean;
  /** A pino logger to use (it is wrapped with our redaction). Default: a silent logger. */
  logger?: Logger;
  /** Watch the CLI's credentials for changes (a new login ends a cooldown at once). Default true. */
  watchCli?: boolean;
  /** Epoch-ms clock for freshness and deadlines. Default `Date.now`. */
  now?: () => number;
  /** 0 ≤ r < 1 for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** XState clock for the machine's timers (e.g. `SimulatedClock` in tests). */
  clock?: ActorOptions<AnyActorLogic>['clock'];
  /** Connect the XState inspector (see docs/inspector.md). */
  inspect?: InspectOption;
  env?: NodeJS.ProcessEnv;
}
