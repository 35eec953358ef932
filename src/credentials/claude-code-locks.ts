/**
 * Claude Code's own locks, taken the way the CLI takes them (parameters in
 * claude-code-protocol.ts), so we and the CLI never spend one refresh token twice:
 *
 * - `acquireClaudeRefreshLocks(D)`: `D/.oauth_refresh.lock`, then the legacy `<realpath(D)>.lock`
 *   (held legacy lock = contention: drop the current one and wait again; any other failure on
 *   the legacy lock = go on without it, as the CLI does), then the owner record, written
 *   atomically. Release removes the owner record (if still ours) and both locks.
 * - `withClaudeStorageWriteLock(D, fn)`: `D/.storage-write.lock` around one write of
 *   `.credentials.json`, held for milliseconds.
 */
import { mkdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { LockTimeoutError } from '../errors.js';
import { DIRECTORY_MODE, writeFileAtomic } from '../fs/atomic-write.js';
import { describeFsError } from '../fs/fs-errors.js';
import { acquireLock, type HeldLock, withLock } from '../fs/lock.js';
import { readOwnerIdentity } from './claude-code-owner.js';
import {
  CLAUDE_CODE_LEGACY_REFRESH_LOCK_SUFFIX,
  CLAUDE_CODE_REFRESH_LOCK,
  CLAUDE_CODE_STORAGE_WRITE_LOCK,
  type ClaudeCodeOwnerRecord,
  claudeOwnerRecordPath,
  claudeRefreshLockPath,
  claudeStorageWriteLockPath,
} from './claude-code-protocol.js';

/** Both refresh locks, held. */
export interface ClaudeRefreshLocks {
  /** `D/.oauth_refresh.lock`. */
  readonly current: HeldLock;
  /** `<realpath(D)>.lock`, or null when it could not be taken for a reason other than contention. */
  readonly legacy: HeldLock | null;
  /** Throws LockCompromisedError when either lock is no longer ours. */
  assertHeld(): Promise<void>;
  release(): Promise<void>;
}

export interface ClaudeRefreshLockOptions {
  /** Longest wait for both locks, ms. Default 1.5 × the CLI's 60 s stale time. */
  waitMs?: number;
  /** Polling delay bounds while the CLI holds a lock, ms. Default 20..250. */
  retryDelayMs?: { min: number; max: number };
}

/** `<realpath(D)>.lock`, or `<D>.lock` when D cannot be resolved (as the CLI does). */
export async function claudeLegacyRefreshLockPath(storageDir: string): Promise<string> {
  const real = await realpath(storageDir).catch(() => storageDir);
  return `${real}${CLAUDE_CODE_LEGACY_REFRESH_LOCK_SUFFIX}`;
}

/**
 * Takes the CLI's refresh locks on storage dir `D` with the CLI's parameters and writes the
 * owner record. Creates `D` (0700) when missing.
 * @throws LockTimeoutError when the CLI (or another oauth-recovery) holds them for longer than `waitMs`.
 * @throws CredentialFileError when `D` cannot be written (read-only mount, permissions).
 */
export async function acquireClaudeRefreshLocks(
  storageDir: string,
  options: ClaudeRefreshLockOptions = {},
): Promise<ClaudeRefreshLocks> {
  const waitMs = options.waitMs ?? CLAUDE_CODE_REFRESH_LOCK.staleMs * 1.5;
  const retryDelayMs = options.retryDelayMs ?? { min: 20, max: 250 };
  const started = Date.now();
  try {
    await mkdir(storageDir, { recursive: true, mode: DIRECTORY_MODE });
  } catch (error) {
    throw describeFsError(storageDir, 'lock', error);
  }
  const lockOptions = {
    staleMs: CLAUDE_CODE_REFRESH_LOCK.staleMs,
    updateMs: CLAUDE_CODE_REFRESH_LOCK.updateMs,
    retryDelayMs,
  };
  const legacyPath = await claudeLegacyRefreshLockPath(storageDir);
  for (;;) {
    const left = Math.max(0, waitMs - (Date.now() - started));
    const current = await acquireLock(storageDir, {
      ...lockOptions,
      waitMs: left,
      lockPath: claudeRefreshLockPath(storageDir),
    });
    let legacy: Awaited<ReturnType<typeof acquireLock>> | null = null;
    try {
      legacy = await acquireLock(legacyPath, { ...lockOptions, waitMs: 0, lockPath: legacyPath });
    } catch (error) {
      if (error instanceof LockTimeoutError) {
        // An older CLI holds the legacy lock: it is refreshing. Let go and wait like the CLI does.
        await current.release();
        const waited = Date.now() - started;
        if (waited >= waitMs) throw new LockTimeoutError(legacyPath, waited);
        await delay(Math.min(waitMs - waited, retryDelayMs.max));
        continue;
      }
      // Anything else (an unwritable parent of D): proceed on the current lock alone, as the CLI does.
    }
    const ownerBirthtime = await writeOwnerRecord(storageDir, current.lock, legacy?.lock ?? null);
    return heldLocks(storageDir, current, legacy, ownerBirthtime);
  }
}

function heldLocks(
  storageDir: string,
  current: Awaited<ReturnType<typeof acquireLock>>,
  legacy: Awaited<ReturnType<typeof acquireLock>> | null,
  ownerBirthtime: number | null,
): ClaudeRefreshLocks {
  let released = false;
  return {
    current: current.lock,
    legacy: legacy?.lock ?? null,
    async assertHeld() {
      await current.lock.assertHeld();
      await legacy?.lock.assertHeld();
    },
    async release() {
      if (released) return;
      released = true;
      if (ownerBirthtime !== null) await removeOwnRecord(storageDir, ownerBirthtime);
      await legacy?.release();
      await current.release();
    },
  };
}

/** Writes the owner record (temp + rename); returns the lock's birthtime, or null when not written. */
async function writeOwnerRecord(
  storageDir: string,
  current: HeldLock,
  legacy: HeldLock | null,
): Promise<number | null> {
  try {
    const [lockStats, legacyStats, identity] = await Promise.all([
      stat(current.lockPath),
      legacy ? stat(legacy.lockPath) : null,
      readOwnerIdentity(),
    ]);
    // Without a birthtime the CLI could not match the record to the lock: write none (as the CLI).
    if (!(lockStats.birthtimeMs > 0)) return null;
    const record: ClaudeCodeOwnerRecord = {
      pid: process.pid,
      ...(identity.procStart !== undefined ? { procStart: identity.procStart } : {}),
      pidDomain: identity.pidDomain,
      pidSpace: identity.pidSpace,
      lockBirthtimeMs: lockStats.birthtimeMs,
      ...(legacyStats && legacyStats.birthtimeMs > 0
        ? { legacyLockBirthtimeMs: legacyStats.birthtimeMs }
        : {}),
    };
    await writeFileAtomic(claudeOwnerRecordPath(storageDir), JSON.stringify(record));
    return lockStats.birthtimeMs;
  } catch {
    // Best effort, like the CLI: without a record a crashed holder's lock just goes stale (60 s).
    return null;
  }
}

async function removeOwnRecord(storageDir: string, lockBirthtimeMs: number): Promise<void> {
  const file = claudeOwnerRecordPath(storageDir);
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as Partial<ClaudeCodeOwnerRecord>;
    if (record.pid !== process.pid || record.lockBirthtimeMs !== lockBirthtimeMs) return;
    await rm(file, { force: true });
  } catch {
    // Gone already, or not ours to remove.
  }
}

/**
 * Runs `fn` under the CLI's `D/.storage-write.lock` (stale 15 s). Meant for one read-plan-write
 * of `.credentials.json`, so the CLI, which gives up after ~7.5 s, is never kept waiting.
 * @throws LockTimeoutError after 1.5 × 15 s of contention; CredentialFileError when `D` is unwritable.
 */
export async function withClaudeStorageWriteLock<T>(
  storageDir: string,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  return withLock(path.join(storageDir, CLAUDE_CODE_STORAGE_WRITE_LOCK.target), fn, {
    staleMs: CLAUDE_CODE_STORAGE_WRITE_LOCK.staleMs,
    retryDelayMs: { min: 5, max: 100 },
    lockPath: claudeStorageWriteLockPath(storageDir),
  });
}
