/**
 * Cross-process lock around a read-modify-write of one file, on proper-lockfile (an atomic
 * `mkdir` of `<real path>.lock`, works on network file systems, no native code).
 *
 * - Keyed by the file's real path (symlinks resolved, the file need not exist yet), so every
 *   route to one store shares one lock.
 * - A lock whose holder died is taken over once its mtime is older than `staleMs` (default
 *   10 s; the holder refreshes it every `updateMs`, default staleMs / 2).
 * - If the lock is lost while held (another process took it over, or it was deleted), the
 *   holder is told: `assertHeld()` throws `LockCompromisedError`, and the atomic writer calls
 *   it right before its rename, so the write in progress is aborted, never half-applied.
 * - A store directory any user may write without the sticky bit is refused, and a lock another
 *   (non-root) user holds and we cannot take over fails fast (shared-directory.ts).
 * - Waiting is bounded by `waitMs` (default 1.5 × staleMs, so a dead holder's lock is taken
 *   over within the wait) and ends in `LockTimeoutError`.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { LockCompromisedError, LockTimeoutError } from '../errors.js';
import { DIRECTORY_MODE } from './atomic-write.js';
import { describeFsError, errnoCode } from './fs-errors.js';
import { resolveRealTarget } from './resolve-target.js';
import { assertLockNotForeign, checkStoreDirectory } from './shared-directory.js';

export const DEFAULT_LOCK_STALE_MS = 10_000;

export interface LockOptions {
  /** A lock not refreshed for this long belongs to a dead process and is taken over. Min 2000. */
  staleMs?: number;
  /** How often the holder refreshes the lock. Default staleMs / 2, min 1000. */
  updateMs?: number;
  /** Longest wait for the lock before `LockTimeoutError`. Default 1.5 × staleMs. */
  waitMs?: number;
  /** Polling delay bounds while waiting (jittered, doubling). Default 2..50 ms. */
  retryDelayMs?: { min: number; max: number };
  /**
   * The lock directory to create instead of `<real path>.lock`: another program's lock, e.g.
   * Claude Code's `D/.oauth_refresh.lock` (see credentials/claude-code-protocol.ts).
   */
  lockPath?: string;
}

export interface HeldLock {
  /** The real path of the locked file. */
  readonly key: string;
  /** The lock directory proper-lockfile created. */
  readonly lockPath: string;
  isCompromised(): boolean;
  /** Throws `LockCompromisedError` when the lock is no longer ours (checked on disk too). */
  assertHeld(): Promise<void>;
  /** Settles (never rejects) when the lock is found compromised. */
  readonly compromised: Promise<LockCompromisedError>;
}

/** Runs `fn` while holding the lock on `file`, and always releases it. */
export async function withLock<T>(
  file: string,
  fn: (lock: HeldLock) => Promise<T> | T,
  options: LockOptions = {},
): Promise<T> {
  const { lock, release } = await acquireLock(file, options);
  try {
    // A write inside `fn` checks `assertHeld()` right before its rename; once that rename is
    // done the write stands, so a compromise noticed later is not reported as a failure.
    return await fn(lock);
  } finally {
    await release();
  }
}

export async function acquireLock(
  file: string,
  options: LockOptions = {},
): Promise<{ lock: HeldLock; release: () => Promise<void> }> {
  const staleMs = Math.max(options.staleMs ?? DEFAULT_LOCK_STALE_MS, 2000);
  const waitMs = options.waitMs ?? staleMs * 1.5;
  const { min, max } = options.retryDelayMs ?? { min: 2, max: 50 };
  const key = await resolveRealTarget(file);
  const lockPath = options.lockPath ?? `${key}.lock`;
  try {
    await mkdir(path.dirname(key), { recursive: true, mode: DIRECTORY_MODE });
  } catch (error) {
    throw describeFsError(file, 'lock', error);
  }
  await checkStoreDirectory(key); // refuses a world-writable directory without the sticky bit

  let compromisedError: LockCompromisedError | undefined;
  let signalCompromised: (error: LockCompromisedError) => void = () => undefined;
  const compromised = new Promise<LockCompromisedError>((resolve) => {
    signalCompromised = resolve;
  });
  const markCompromised = (cause?: unknown): LockCompromisedError => {
    compromisedError ??= new LockCompromisedError(lockPath, { cause });
    signalCompromised(compromisedError);
    return compromisedError;
  };

  const started = Date.now();
  let backoff = min;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lockfile.lock(key, {
        realpath: false,
        stale: staleMs,
        update: options.updateMs ?? staleMs / 2,
        retries: 0,
        ...(options.lockPath ? { lockfilePath: options.lockPath } : {}),
        onCompromised: (error) => {
          markCompromised(error);
        },
      });
      break;
    } catch (error) {
      // Another user's squatted lock: fail fast, whether it is fresh (ELOCKED) or stale but not ours to remove (EPERM).
      await assertLockNotForeign(lockPath, staleMs);
      if (errnoCode(error) !== 'ELOCKED') throw describeFsError(lockPath, 'lock', error);
      const waited = Date.now() - started;
      if (waited >= waitMs) throw new LockTimeoutError(lockPath, waited);
      await delay(Math.min(waitMs - waited, min + Math.random() * backoff));
      backoff = Math.min(backoff * 2, max);
    }
  }

  // Identity of the lock directory we created: a takeover by another process replaces it.
  const identity = await lockIdentity(lockPath);
  const lock: HeldLock = {
    key,
    lockPath,
    compromised,
    isCompromised: () => compromisedError !== undefined,
    async assertHeld() {
      if (compromisedError) throw compromisedError;
      const now = await lockIdentity(lockPath);
      if (now === undefined || now !== identity) throw markCompromised();
    },
  };
  return {
    lock,
    release: async () => {
      if (compromisedError) return; // proper-lockfile already dropped it; the directory is not ours
      await release().catch(() => undefined);
    },
  };
}

async function lockIdentity(lockPath: string): Promise<string | undefined> {
  try {
    const stats = await stat(lockPath, { bigint: true });
    return `${stats.dev}:${stats.ino}:${stats.birthtimeNs}`;
  } catch {
    return undefined;
  }
}
