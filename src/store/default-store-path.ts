/**
 * Which profile store to use when none is given: `OAUTH_RECOVERY_STORE` if set; else
 * openclaw's `$OPENCLAW_STATE_DIR/agents/main/agent/auth-profiles.json` (state dir default
 * `~/.openclaw`) when that file exists, so we share the login with an installed openclaw; else
 * our own `$XDG_CONFIG_HOME/oauth-recovery/auth-profiles.json` (default `~/.config/...`).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type StorePathOrigin = 'env' | 'openclaw' | 'own';

export interface DefaultStorePathOptions {
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Injected for tests; default `fs.existsSync`. */
  exists?: (file: string) => boolean;
}

export function openclawStorePath(options: DefaultStorePathOptions = {}): string {
  const env = options.env ?? process.env;
  const stateDir = env.OPENCLAW_STATE_DIR || path.join(options.homeDir ?? os.homedir(), '.openclaw');
  return path.join(stateDir, 'agents', 'main', 'agent', 'auth-profiles.json');
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
  const openclaw = openclawStorePath(options);
  if ((options.exists ?? existsSync)(openclaw)) return { path: openclaw, origin: 'openclaw' };
  return { path: ownStorePath(options), origin: 'own' };
}
