/**
 * The cross-process lock: mutual exclusion, keyed by the real path, bounded waiting ending in
 * LockTimeoutError, takeover of a lock whose holder was SIGKILLed, and compromise detection
 * (lost lock → the write in progress aborts, the file stays as it was).
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockCompromisedError, LockTimeoutError } from '../../src/errors.js';
import { acquireLock, listTempFiles, withLock, writeFileAtomic } from '../../src/fs/index.js';
import {
  caught,
  fileFingerprint,
  REPO_ROOT,
  useTempDirs,
  WORKER_DIR,
} from '../support/store-workers/fixtures.js';

const tempDir = useTempDirs();

describe('withLock', () => {
  it('excludes concurrent holders (no interleaving of read-modify-write)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'counter.json');
    await writeFile(file, '0');
    await Promise.all(
      Array.from({ length: 25 }, () =>
        withLock(file, async (lock) => {
          const value = Number(await readFile(file, 'utf8'));
          await writeFileAtomic(file, String(value + 1), { beforeRename: () => lock.assertHeld() });
        }),
      ),
    );
    expect(await readFile(file, 'utf8')).toBe('25');
  });

  it('locks a file that does not exist yet, creating its directory 0700', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'new', 'store.json');
    const lockPath = await withLock(file, async (lock) => {
      expect((await stat(lock.lockPath)).isDirectory()).toBe(true);
      return lock.lockPath;
    });
    expect(lockPath).toBe(`${file}.lock`);
    expect((await stat(path.join(dir, 'new'))).mode & 0o777).toBe(0o700);
    await expect(stat(lockPath)).rejects.toThrow();
  });

  it('releases the lock when fn throws', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    await expect(withLock(file, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withLock(file, () => 'again', { waitMs: 100 })).toBe('again');
  });

  it('is keyed by the real path: a symlink and its target share one lock', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'real.json');
    const link = path.join(dir, 'link.json');
    await writeFile(target, '{}');
    await symlink(target, link);
    const { lock, release } = await acquireLock(link);
    expect(lock.key).toBe(target);
    const error = await caught(withLock(target, () => 'x', { waitMs: 150 }));
    expect(error).toBeInstanceOf(LockTimeoutError);
    await release();
  });

  it('waits a bounded time and ends in LockTimeoutError naming the lock', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    const { release } = await acquireLock(file);
    const started = Date.now();
    const error = (await caught(withLock(file, () => 'never', { waitMs: 300 }))) as LockTimeoutError;
    const waited = Date.now() - started;
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error.lockPath).toBe(`${file}.lock`);
    expect(error.waitedMs).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(2000);
    await release();
  });

  it('takes over a lock left behind with an old mtime at once', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    await mkdir(`${file}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    expect(await withLock(file, () => 'taken', { waitMs: 200 })).toBe('taken');
  });

  it('takes over the lock of a holder that was SIGKILLed, once it is stale', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    const staleMs = 2000;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(WORKER_DIR, 'hold-lock.ts'), file, String(staleMs)],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('locked')) resolve();
      });
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect((await stat(`${file}.lock`)).isDirectory()).toBe(true);
    // Still fresh right after the kill: a short wait times out...
    expect(await caught(withLock(file, () => 'x', { staleMs, waitMs: 100 }))).toBeInstanceOf(
      LockTimeoutError,
    );
    // ...and a wait longer than the stale age gets it.
    const started = Date.now();
    expect(await withLock(file, () => 'taken', { staleMs, waitMs: 3 * staleMs })).toBe('taken');
    expect(Date.now() - started).toBeLessThan(3 * staleMs);
  });

  it('aborts the write in progress when the lock was taken over, leaving the file untouched', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    await writeFile(file, '{"v":1}', { mode: 0o600 });
    const before = await fileFingerprint(file);
    const error = await caught(
      withLock(file, async (lock) => {
        // Another process decided our lock was stale and took it over.
        await rm(lock.lockPath, { recursive: true });
        await mkdir(lock.lockPath);
        await writeFileAtomic(file, '{"v":2}', { beforeRename: () => lock.assertHeld() });
      }),
    );
    expect(error).toBeInstanceOf(LockCompromisedError);
    expect(await fileFingerprint(file)).toBe(before);
    expect(await listTempFiles(file)).toEqual([]);
    await rm(`${file}.lock`, { recursive: true, force: true });
  });

  it("reports proper-lockfile's own compromise signal (lock removed while held)", async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'store.json');
    await writeFile(file, '{"v":1}', { mode: 0o600 });
    const before = await fileFingerprint(file);
    const error = await caught(
      withLock(
        file,
        async (lock) => {
          await rm(lock.lockPath, { recursive: true });
          const signalled = await lock.compromised; // fires on the next lock refresh (~1 s)
          expect(signalled).toBeInstanceOf(LockCompromisedError);
          expect(lock.isCompromised()).toBe(true);
          await writeFileAtomic(file, '{"v":2}', { beforeRename: () => lock.assertHeld() });
        },
        { staleMs: 2000, updateMs: 1000 },
      ),
    );
    expect(error).toBeInstanceOf(LockCompromisedError);
    expect(await fileFingerprint(file)).toBe(before);
  });
});
