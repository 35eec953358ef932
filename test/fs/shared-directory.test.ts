/**
 * Stores in directories other users can write (issue 11 item 6). Before: a world-writable
 * directory was used as is, and a lock directory another user created and kept fresh made
 * every write wait out its full bound and time out, for good. Now: a world-writable directory
 * without the sticky bit is refused (CredentialFileError), one with it (/tmp) is classified
 * `sticky` for a warning, and another user's lock fails fast (LockOwnedByOtherUserError)
 * unless it is stale and removable. The cross-user cases need root (they chown to uid 65533
 * and run the locker as uid 65534) and are skipped, with the reason printed, otherwise.
 */
import { chmod, chown, mkdir, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialFileError } from '../../src/errors.js';
import { withLock } from '../../src/fs/lock.js';
import { checkStoreDirectory } from '../../src/fs/shared-directory.js';
import { runTsWorker } from '../support/store-workers/fixtures.js';

const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;
if (!isRoot)
  console.warn('shared-directory.test.ts: cross-user cases skipped, they need root (chown, setuid)');

const USER = 65534;
const SQUATTER = 65533;
let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'oauth-recovery-shared-'));
  await chmod(root, 0o755);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function sharedDir(mode: number, uid = 0): Promise<string> {
  const dir = path.join(root, `shared-${mode.toString(8)}`);
  await mkdir(dir);
  if (isRoot) await chown(dir, uid, uid);
  await chmod(dir, mode);
  return dir;
}

/** A lock directory as another user would leave it; `ageMs` back-dates its mtime. */
async function squat(lockPath: string, uid: number, ageMs = 0): Promise<void> {
  await mkdir(lockPath);
  await chown(lockPath, uid, uid);
  const when = new Date(Date.now() - ageMs);
  await utimes(lockPath, when, when);
}

async function lockAsUser(file: string, waitMs: number) {
  const run = await runTsWorker('lock-as-user.ts', [file, String(waitMs)], { uid: USER, gid: USER });
  return JSON.parse(run.stdout || '{}') as { ok: boolean; name?: string; json?: Record<string, unknown> };
}

describe('the store directory', () => {
  it('refuses a world-writable directory without the sticky bit, naming it and the fix', async () => {
    const dir = await sharedDir(0o777);
    const file = path.join(dir, 'auth-profiles.json');
    const error = await withLock(file, () => 'locked').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CredentialFileError);
    expect((error as CredentialFileError).message).toContain(
      `${dir} is world-writable without the sticky bit`,
    );
    expect((error as CredentialFileError).hint).toContain(`chmod o-w '${dir}'`);
  });

  it('allows a sticky world-writable directory (like /tmp) and classifies it for a warning', async () => {
    const dir = await sharedDir(0o1777);
    const file = path.join(dir, 'auth-profiles.json');
    expect(await withLock(file, () => 'locked')).toBe('locked');
    expect(await checkStoreDirectory(file)).toBe('sticky');
    expect(await checkStoreDirectory(path.join(root, 'x.json'))).toBe('private');
  });
});

describe.skipIf(!isRoot)('a lock directory another user owns', () => {
  it('fails fast with LockOwnedByOtherUserError when another user squats a fresh lock in /tmp-like dir', async () => {
    const dir = await sharedDir(0o1777);
    const file = path.join(dir, 'auth-profiles.json');
    await squat(`${file}.lock`, SQUATTER);
    const result = await lockAsUser(file, 4000);
    expect(result).toMatchObject({ ok: false, name: 'LockOwnedByOtherUserError' });
    expect(result.json?.code).toBe('LOCK_FOREIGN_OWNER');
    expect(result.json?.message).toContain(`${file}.lock is owned by another user (uid ${SQUATTER})`);
  });

  it('fails fast on a stale squatted lock it may not remove (sticky dir it does not own)', async () => {
    const dir = await sharedDir(0o1777);
    const file = path.join(dir, 'auth-profiles.json');
    await squat(`${file}.lock`, SQUATTER, 60_000);
    expect(await lockAsUser(file, 4000)).toMatchObject({ ok: false, name: 'LockOwnedByOtherUserError' });
  });

  it('takes over a stale foreign lock in its own directory, where it may remove it', async () => {
    const dir = await sharedDir(0o700, USER);
    const file = path.join(dir, 'auth-profiles.json');
    await squat(`${file}.lock`, SQUATTER, 60_000);
    expect(await lockAsUser(file, 4000)).toEqual({ ok: true });
  });

  it('as root, takes over another user’s stale lock (root may remove it)', async () => {
    const dir = await sharedDir(0o700, USER);
    const file = path.join(dir, 'auth-profiles.json');
    await squat(`${file}.lock`, USER, 60_000);
    expect(await withLock(file, () => 'locked')).toBe('locked');
  });
});
