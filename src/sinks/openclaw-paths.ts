/**
 * Where openclaw 2026.7+ keeps its auth profiles, read from the openclaw 2026.9.6 package
 * (dist/paths-*.mjs, dist/auth-profiles/path-resolve, sqlite.ts, sqlite-json.ts):
 *
 * - state dir: `$OPENCLAW_STATE_DIR` (a leading `~` is the home dir), else `$OPENCLAW_HOME`
 *   or the home dir + `/.openclaw`;
 * - an agent's database: `<stateDir>/agents/<agentId>/agent/openclaw-agent.sqlite`
 *   (`PRAGMA user_version` 23), tables `auth_profile_store` / `auth_profile_state`, row `primary`;
 * - the shared store: `<stateDir>/state/openclaw.sqlite`, table `config_machine_state`; its
 *   row `auth.sharedStore` says `{"location":"state-db"}` (then rows `authProfiles.store` /
 *   `authProfiles.state` there) or is absent / `legacy-main` (then the main agent's database:
 *   `$OPENCLAW_AGENT_DIR` or `<stateDir>/agents/main/agent`).
 */
import os from 'node:os';
import path from 'node:path';

/** The openclaw release these facts were read from. */
export const OPENCLAW_FACTS_VERSION = '2026.9.6';
/** The newest agent-database schema (`PRAGMA user_version`) openclaw 2026.9.6 reads. */
export const OPENCLAW_AGENT_SCHEMA_VERSION = 23;
/** openclaw's own `busy_timeout` for its auth writes, ms. */
export const OPENCLAW_BUSY_TIMEOUT_MS = 5000;
/** The key of the one row each agent auth table holds. */
export const OPENCLAW_PRIMARY_ROW = 'primary';
/** `config_machine_state` keys of the shared store: its location, and its store and state rows. */
export const OPENCLAW_SHARED_LOCATION_KEY = 'auth.sharedStore';
export const OPENCLAW_SHARED_STORE_KEY = 'authProfiles.store';
export const OPENCLAW_SHARED_STATE_KEY = 'authProfiles.state';
/** The Claude CLI profile openclaw 2026.7+ ignores at run time and `openclaw doctor --fix` deletes. */
export const OPENCLAW_RETIRED_CLAUDE_CLI_PROFILE = 'anthropic:claude-cli';
/** Our profile id in openclaw's store unless told otherwise. */
export const DEFAULT_OPENCLAW_SINK_PROFILE_ID = 'anthropic:oauth-recovery';

/** Where to resolve openclaw's paths from (default `process.env` and the OS home dir). */
export interface OpenclawPathOptions {
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

function expandHome(value: string, home: string): string {
  if (value === '~') return home;
  if (value.startsWith('~/')) return path.join(home, value.slice(2));
  return value;
}

/** openclaw's state directory (`$OPENCLAW_STATE_DIR`, default `~/.openclaw`), resolved. */
export function resolveOpenclawStateDir(options: OpenclawPathOptions = {}): string {
  const env = options.env ?? process.env;
  const home = env.OPENCLAW_HOME?.trim() || options.homeDir || os.homedir();
  const override = env.OPENCLAW_STATE_DIR?.trim();
  if (override) return path.resolve(expandHome(override, home));
  return path.join(home, '.openclaw');
}

/** `<stateDir>/agents/<agentId>/agent/openclaw-agent.sqlite`. */
export function openclawAgentDatabasePath(stateDir: string, agentId: string): string {
  return path.join(stateDir, 'agents', agentId, 'agent', 'openclaw-agent.sqlite');
}

/** `<stateDir>/state/openclaw.sqlite`, the shared state database. */
export function openclawStateDatabasePath(stateDir: string): string {
  return path.join(stateDir, 'state', 'openclaw.sqlite');
}

/** The main agent's database, which holds the shared store while it is `legacy-main`. */
export function openclawSharedMainDatabasePath(stateDir: string, options: OpenclawPathOptions = {}): string {
  const env = options.env ?? process.env;
  const home = env.OPENCLAW_HOME?.trim() || options.homeDir || os.homedir();
  const agentDir = env.OPENCLAW_AGENT_DIR?.trim();
  if (agentDir) return path.join(path.resolve(expandHome(agentDir, home)), 'openclaw-agent.sqlite');
  return openclawAgentDatabasePath(stateDir, 'main');
}

/** The legacy JSON store openclaw ≤ 2026.6 read (2026.7+ only imports it in `doctor --fix`). */
export function openclawLegacyJsonStorePath(stateDir: string): string {
  return path.join(stateDir, 'agents', 'main', 'agent', 'auth-profiles.json');
}
