/**
 * Which profile store to use when none is given: `OAUTH_RECOVERY_STORE` if set; else, when
 * openclaw 2026.7+'s SQLite store exists (`<stateDir>/state/openclaw.sqlite` or the main
 * agent's `openclaw-agent.sqlite`), our own file: openclaw no longer reads its JSON file at run
 * time, and a JSON file next to an empty SQLite store blocks anthropic there, so we neither read
 * nor create it (openclaw is fed through the openclaw sink instead); else openclaw ≤ 2026.6's
 * `$OPENCLAW_STATE_DIR/agents/main/agent/auth-profiles.json` (state dir default `~/.openclaw`)
 * when that file exists, so we share the login with it; else our own
 * `$XDG_CONFIG_HOME/oauth-recovery/auth-profiles.json` (default `~/.config/...`).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  openclawLegacyJsonStorePath,
  openclawSharedMainDatabasePath,
  openclawStateDatabasePath,
  resolveOpenclawStateDir,
} from '../sinks/openclaw-paths.js';

export type StorePathOrigin = 'env' | 'openclaw' | 'own';

export interface DefaultStorePathOptions {
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Injected for tests; default `fs.existsSync`. */
  exists?: (file: string) => boolean;
}

/** openclaw ≤ 2026.6's JSON store: `$OPENCLAW_STATE_DIR/agents/main/agent/auth-profiles.json`. */
export function openclawStorePath(options: DefaultStorePathOptions = {}): string {
  return openclawLegacyJsonStorePath(resolveOpenclawStateDir(options));
}

/** The SQLite store of openclaw 2026.7+ when one exists (the state database first), else null. */
export function openclawSqliteStorePath(options: DefaultStorePathOptions = {}): string | null {
  const exists = options.exists ?? existsSync;
  const stateDir = resolveOpenclawStateDir(options);
  for (const candidate of [
    openclawStateDatabasePath(stateDir),
    openclawSharedMainDatabasePath(stateDir, options),
  ]) {
    if (exists(candidate)) return candidate;
  }
  return null;
}

export function ownStorePath(options: DefaultStorePathOptions = {}): string {
  const env = options.env ?? process.env;
  const configHome = env.XDG_CONFIG_HOME || path.join(options.homeDir ?? os.homedir(), '.config');
  return path.join(configHome, 'oauth-recovery', 'auth-profiles.json');
}

/**
 * The store used when none is given, and why: `env` (`OAUTH_RECOVERY_STORE`), `openclaw`
 * (`$OPENCLAW_STATE_DIR/agents/main/agent/auth-profiles.json` exists, openclaw ≤ 2026.6's store)
 * or `own` (`$XDG_CONFIG_HOME/oauth-recovery/auth-profiles.json`). Reads the file system only
 * to test that openclaw's file exists.
 */
export function resolveDefaultStorePath(options: DefaultStorePathOptions = {}): {
  path: string;
  origin: StorePathOrigin;
} {
  const env = options.env ?? process.env;
  if (env.OAUTH_RECOVERY_STORE) return { path: path.resolve(env.OAUTH_RECOVERY_STORE), origin: 'env' };
  if (openclawSqliteStorePath(options) !== null) return { path: ownStorePath(options), origin: 'own' };
  const openclaw = openclawStorePath(options);
  if ((options.exists ?? existsSync)(openclaw)) return { path: openclaw, origin: 'openclaw' };
  return { path: ownStorePath(options), origin: 'own' };
}
