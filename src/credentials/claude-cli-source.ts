/**
 * The Claude Code CLI's login as one small interface, whichever store the CLI uses: its
 * `.credentials.json` (Linux, Windows) or the login Keychain (macOS). Reading distinguishes a
 * usable login from a blanked one (the CLI's own refresh failed) and from none at all; broken
 * input throws typed errors. Writing back a rotated pair keeps every other field.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { LoggedOutError } from '../errors.js';
import type { ClaudeCliWriteBackOutcome } from './claude-cli-document.js';
import { createClaudeCliFileSource } from './claude-cli-file-source.js';
import { createClaudeCliKeychainSource } from './claude-cli-keychain-source.js';
import { claudeCredentialsPath, claudeKeychainAccount, claudeKeychainService } from './claude-cli-paths.js';
import type { ClaudeCliWritable } from './claude-cli-writable.js';
import type { WriteOptions } from './freshness.js';
import type { CredentialView, OAuthCredential } from './types.js';

/** What reading the Claude Code CLI's login found: a usable credential (with its token-free view), a blank login, or none. */
export type ClaudeCliReadResult =
  | { status: 'ok'; credential: OAuthCredential; meta: CredentialView }
  /** Empty tokens or `expiresAt: 0`: the CLI is logged out. Never a credential. */
  | { status: 'blank' }
  /** No file, no Keychain item, or no `claudeAiOauth` in it. */
  | { status: 'missing' };

/**
 * The Claude Code CLI's login as a place to read from and write back to: its
 * `.credentials.json` (Claude Code 2.1.x format), or on macOS its login Keychain item.
 */
export interface ClaudeCliSource {
  /** `file` (`$CLAUDE_CONFIG_DIR/.credentials.json`) or `keychain` (macOS login Keychain). */
  readonly kind: 'file' | 'keychain';
  /** Human-readable location: a file path or `keychain:<service>`. */
  readonly location: string;
  /** A path whose directory the runtime watches to notice a new CLI login. */
  readonly watchTarget: string;
  /** The CLI's storage dir `D`: where its refresh and storage-write locks live (claude-code-protocol.ts). */
  readonly storageDir: string;
  /** Throws CredentialParseError / CredentialFileError / KeychainError on unreadable input. */
  read(): Promise<ClaudeCliReadResult>;
  /**
   * Stores a rotated pair where the CLI reads it, under the CLI's `D/.storage-write.lock`,
   * changing only the token fields. With `replacesSpent`, Claude Code's compare-and-swap: written
   * only over that refresh token or a blanked one (`keptNewer` otherwise). Without it, refuses
   * (DowngradeRefusedError) to replace a better credential.
   * @throws LockTimeoutError, CredentialFileError, KeychainError, DowngradeRefusedError
   */
  writeBack(rotated: OAuthCredential, options?: WriteOptions): Promise<ClaudeCliWriteBackOutcome>;
  /** Whether a write-back could land now (`D` and the file writable). Never throws. */
  checkWritable(): Promise<ClaudeCliWritable>;
}

export interface ClaudeCliSourceOptions {
  configDir?: string;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Injected clock for the never-downgrade check. */
  now?: () => number;
  marginMs?: number;
}

/** The CLI's credential store for this platform: the Keychain on macOS, the file elsewhere. */
export function createClaudeCliSource(options: ClaudeCliSourceOptions = {}): ClaudeCliSource {
  const env = options.env ?? process.env;
  const pathOptions = { configDir: options.configDir, env, homeDir: options.homeDir };
  const credentialsPath = claudeCredentialsPath(pathOptions);
  const common = { now: options.now, marginMs: options.marginMs };
  if ((options.platform ?? process.platform) === 'darwin') {
    return createClaudeCliKeychainSource({
      ...common,
      service: claudeKeychainService(pathOptions),
      account: claudeKeychainAccount(env),
      env,
      storageDir: path.dirname(credentialsPath),
      watchTarget: path.join(options.homeDir ?? homedir(), 'Library', 'Keychains', 'login.keychain-db'),
    });
  }
  return createClaudeCliFileSource({ ...common, path: credentialsPath });
}

/** The credential of a read, or LoggedOutError when the CLI is logged out (blank) or has none. */
export function requireClaudeCliCredential(
  result: ClaudeCliReadResult,
  location: string,
): { credential: OAuthCredential; meta: CredentialView } {
  if (result.status !== 'ok') throw new LoggedOutError(location);
  return { credential: result.credential, meta: result.meta };
}
