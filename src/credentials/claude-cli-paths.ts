/**
 * Where the Claude Code CLI keeps its login, exactly as the CLI computes it: `D/.credentials.json`
 * with `D` from `resolveClaudeStorageDir` (`$CLAUDE_SECURESTORAGE_CONFIG_DIR`, else
 * `$CLAUDE_CONFIG_DIR`, else `~/.claude`), and on macOS the login Keychain item
 * `Claude Code-credentials`, suffixed with `-` + the first 8 hex chars of sha256(D) when `D` was
 * overridden, for account `$USER`.
 */
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { resolveClaudeStorageDir } from './claude-code-protocol.js';

export const CLAUDE_CREDENTIALS_FILE_NAME = '.credentials.json';
export const CLAUDE_KEYCHAIN_SERVICE = 'Claude Code-credentials';

export interface ClaudeCliPathOptions {
  /** Explicit config dir; wins over `CLAUDE_SECURESTORAGE_CONFIG_DIR` and `CLAUDE_CONFIG_DIR`. */
  configDir?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  homeDir?: string | undefined;
}

/** The config dir, and whether it was overridden (which changes the Keychain service name). */
export function resolveClaudeConfigDir(options: ClaudeCliPathOptions = {}): {
  dir: string;
  overridden: boolean;
} {
  const env = options.env ?? process.env;
  const dir = resolveClaudeStorageDir({ env, homeDir: options.homeDir, configDir: options.configDir });
  const secure = env.CLAUDE_SECURESTORAGE_CONFIG_DIR;
  const overridden =
    Boolean(options.configDir) || (secure !== undefined ? secure !== '' : Boolean(env.CLAUDE_CONFIG_DIR));
  return { dir, overridden };
}

export function claudeCredentialsPath(options: ClaudeCliPathOptions = {}): string {
  return path.join(resolveClaudeConfigDir(options).dir, CLAUDE_CREDENTIALS_FILE_NAME);
}

export function claudeKeychainService(options: ClaudeCliPathOptions = {}): string {
  const { dir, overridden } = resolveClaudeConfigDir(options);
  if (!overridden) return CLAUDE_KEYCHAIN_SERVICE;
  return `${CLAUDE_KEYCHAIN_SERVICE}-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
}

export function claudeKeychainAccount(env: NodeJS.ProcessEnv = process.env): string {
  return env.USER || os.userInfo().username;
}
