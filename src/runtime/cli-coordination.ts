/**
 * How a refresh is coordinated with the Claude Code CLI when both hold one login. The runtime
 * takes the CLI's own refresh locks (credentials/claude-code-locks.ts) around every refresh, so
 * the CLI and we never spend one refresh token twice; under them it re-reads the CLI's store
 * and adopts a pair the CLI wrote; before spending a pair the CLI also holds it checks that the
 * write-back can land. Lock order (see docs/architecture.md): CLI refresh locks → our store
 * lock → (released) → the CLI's storage-write lock.
 */
import { stat } from 'node:fs/promises';
import type { ClaudeCliReadResult, ClaudeCliSource } from '../credentials/claude-cli-source.js';
import { acquireClaudeRefreshLocks, type ClaudeRefreshLocks } from '../credentials/claude-code-locks.js';
import { fingerprintToken } from '../credentials/fingerprint.js';
import type { OAuthCredential } from '../credentials/types.js';
import { CredentialFileError, OAuthRecoveryError } from '../errors.js';
import type { Logger } from '../logging/logger.js';

/** What the refresh sees of the CLI while (maybe) holding its refresh locks. */
export interface CliRefreshGuard {
  /** True when the CLI's refresh locks are held. */
  readonly locked: boolean;
  /** Why the CLI's store cannot be written (so a shared pair must not be spent), or null. */
  readonly blockedReason: string | null;
  /** Re-reads the CLI's store (fresh, under the locks when held); missing on a read error. */
  read(): Promise<ClaudeCliReadResult>;
  /** Null when a rotated pair of the CLI's login can be written back; else why not. */
  writeBackBlocked(): Promise<string | null>;
}

/** The CLI holds `credential`'s refresh token: a write-back is owed after spending it. */
export function sharesRefreshToken(read: ClaudeCliReadResult, refreshToken: string): boolean {
  return (
    read.status === 'ok' &&
    read.credential.refreshToken !== '' &&
    read.credential.refreshToken === refreshToken
  );
}

/** Refresh tokens this process saw refused (`invalid_grant`), by fingerprint; bounded. */
export class DeadRefreshTokens {
  private readonly dead = new Set<string>();
  add(refreshToken: string): void {
    if (this.dead.size >= 32) this.dead.delete(this.dead.values().next().value as string);
    this.dead.add(fingerprintToken(refreshToken));
  }
  has(refreshToken: string): boolean {
    return refreshToken !== '' && this.dead.has(fingerprintToken(refreshToken));
  }
}

/**
 * A CLI login worth refreshing when ours is gone: its refresh token is set, not known dead, and
 * not the one our store holds (ours is dead, or expired, or absent). An expired access token or
 * a missing `expiresAt` does not matter: the refresh token is what counts.
 */
export function isRefreshableCliLogin(
  cli: OAuthCredential,
  stored: OAuthCredential | null,
  oursUnusable: boolean,
  dead: DeadRefreshTokens,
): boolean {
  if (cli.refreshToken === '' || dead.has(cli.refreshToken)) return false;
  if (stored && cli.refreshToken === stored.refreshToken) return false;
  return oursUnusable || !stored || dead.has(stored.refreshToken);
}

/**
 * Runs `fn` holding the CLI's refresh locks when the CLI's storage dir exists. When the dir
 * cannot be written (read-only mount, permissions) `fn` runs without them and the guard says
 * why, so a pair the CLI shares is not spent. Releases the locks however `fn` ends.
 * @throws LockTimeoutError when the CLI holds its lock longer than the wait.
 */
export async function withCliRefreshLocks<T>(
  cli: ClaudeCliSource | null,
  logger: Logger,
  fn: (guard: CliRefreshGuard) => Promise<T>,
): Promise<T> {
  if (!cli) return fn(noCliGuard);
  let locks: ClaudeRefreshLocks | null = null;
  let blockedReason: string | null = null;
  if (await directoryExists(cli.storageDir)) {
    try {
      locks = await acquireClaudeRefreshLocks(cli.storageDir);
    } catch (error) {
      if (!(error instanceof CredentialFileError)) throw error;
      blockedReason = error.message;
      logger.warn(
        { event: 'cliLockUnavailable', dir: cli.storageDir, reason: error.reason },
        "cannot take the Claude CLI's refresh lock; its login will not be spent",
      );
    }
  }
  const guard: CliRefreshGuard = {
    locked: locks !== null,
    blockedReason,
    read: () => readFresh(cli),
    async writeBackBlocked() {
      if (blockedReason) return blockedReason;
      const check = await cli.checkWritable();
      return check.writable ? null : check.reason;
    },
  };
  try {
    return await fn(guard);
  } finally {
    await locks?.release();
  }
}

const noCliGuard: CliRefreshGuard = {
  locked: false,
  blockedReason: null,
  read: async () => ({ status: 'missing' }),
  writeBackBlocked: async () => null,
};

async function readFresh(cli: ClaudeCliSource): Promise<ClaudeCliReadResult> {
  try {
    return await cli.read();
  } catch (error) {
    // An unreadable CLI store is nothing to adopt; the sync path reports it.
    if (error instanceof OAuthRecoveryError) return { status: 'missing' };
    throw error;
  }
}

async function directoryExists(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** Thrown inside a store update to leave it without spending: the CLI's store cannot be written. */
export class CliWriteBackBlocked extends Error {
  constructor(readonly reason: string) {
    super(`the Claude CLI's credentials cannot be written (${reason})`);
    this.name = 'CliWriteBackBlocked';
  }
}
