/**
 * Stores in directories other users can write (issue 11 item 6). The lock is a `mkdir` of
 * `<store>.lock` next to the store, so whoever can create entries in that directory can
 * create the lock first and keep it fresh: every write then waits and times out, for good.
 *
 * - A world-writable directory WITHOUT the sticky bit is refused: any local user can also
 *   delete or rename the store itself there, so no lock rule can make it safe.
 * - A world-writable directory WITH the sticky bit (`/tmp`) is allowed with a warning (logger,
 *   `doctor`): other users cannot remove or replace our entries, only squat new names, and a
 *   squatted lock is caught by {@link assertLockNotForeign}. Refusing would break setups that
 *   keep a store under `/tmp` on purpose (tests, CI, containers).
 * - A lock directory owned by another uid (not root) fails fast unless it is stale and we may
 *   remove it. Root-owned locks are waited for as usual (a root `watch` on the user's store is
 *   a supported setup); as root, another user's lock is waited for and, once stale, taken over
 *   as proper-lockfile does for any lock (root may remove it; the store's owner may hold it).
 */
import { access, constants, lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import { CredentialFileError, LockOwnedByOtherUserError } from '../errors.js';
import { describeFsError, errnoCode } from './fs-errors.js';

const WORLD_WRITABLE = 0o002;
const STICKY = 0o1000;

/** How a store's directory is shared: `private` (not world-writable), or `sticky` (like /tmp). */
export type StoreDirectorySharing = 'private' | 'sticky';

/**
 * Classifies the directory that holds `file` (its lock and temp files live there too).
 * A missing directory is `private` (it will be created 0700).
 * @throws CredentialFileError when the directory is world-writable without the sticky bit.
 */
export async function checkStoreDirectory(file: string): Promise<StoreDirectorySharing> {
  const dir = path.dirname(path.resolve(file));
  let mode: number;
  try {
    mode = (await stat(dir)).mode;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return 'private';
    throw describeFsError(file, 'lock', error);
  }
  if ((mode & WORLD_WRITABLE) === 0) return 'private';
  if ((mode & STICKY) !== 0) return 'sticky';
  throw new CredentialFileError(
    file,
    `its directory ${dir} is world-writable without the sticky bit (mode ${(mode & 0o7777).toString(8)}): any local user can delete or replace the store or hold its lock for good`,
    { hint: `Move the store to a directory only you can write (mode 0700), or run: chmod o-w '${dir}'` },
  );
}

/** The uid of this process, or undefined where there is none (Windows). */
function ourUid(): number | undefined {
  return typeof process.geteuid === 'function' ? process.geteuid() : undefined;
}

/**
 * Called while waiting for `lockPath`: throws when another non-root user owns the lock and we
 * cannot take it over (it is fresh, or it is stale but we may not remove it). A no-op as root,
 * for root-owned locks, for our own, and when the lock is gone.
 * @param staleMs the age (ms since the lock's last mtime refresh) at which a lock is stale.
 * @throws LockOwnedByOtherUserError naming the lock directory and its owner's uid.
 */
export async function assertLockNotForeign(
  lockPath: string,
  staleMs: number,
  now = Date.now(),
): Promise<void> {
  const uid = ourUid();
  if (uid === undefined || uid === 0) return;
  let lock: Awaited<ReturnType<typeof lstat>>;
  try {
    lock = await lstat(lockPath);
  } catch {
    return; // gone: the next attempt takes it
  }
  if (lock.uid === uid || lock.uid === 0) return;
  const stale = now - lock.mtimeMs > staleMs;
  if (stale && (await mayRemoveEntry(path.dirname(lockPath), uid))) return;
  throw new LockOwnedByOtherUserError(lockPath, lock.uid);
}

/** Whether `uid` may remove an entry it does not own from `dir` (write access, and no sticky bit unless it owns `dir`). */
async function mayRemoveEntry(dir: string, uid: number): Promise<boolean> {
  try {
    await access(dir, constants.W_OK | constants.X_OK);
    const stats = await stat(dir);
    return (stats.mode & STICKY) === 0 || stats.uid === uid;
  } catch {
    return false;
  }
}
