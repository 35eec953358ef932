/** Turns a failed store write (file system or lock) into a `StoreError` naming the path and errno. */
import { statfs } from 'node:fs/promises';
import { OAuthRecoveryError, StoreError } from '../errors.js';
import { errnoCode } from '../fs/fs-errors.js';

/** Room a store write needs on its file system, in bytes: a temp copy of the file, and slack. */
export const MIN_FREE_BYTES = 64 * 1024;

/**
 * The errnos of a store that cannot take a write right now (full, read-only, permissions, I/O).
 * Structural problems (a symlink loop, a directory in the file's place) keep their
 * CredentialFileError: retrying will not fix them.
 */
const STORE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EBUSY', 'ETXTBSY']);

/**
 * `error` as a StoreError for `path` when it is a file-system failure with an errno (on the
 * error or its `cause`); anything else (a parse error, a refused downgrade, a lock timeout or
 * lost lock, which keep their own classes, an error thrown by the caller's update) is
 * returned unchanged.
 */
export function toStoreError(path: string, error: unknown): unknown {
  if (error instanceof StoreError) return error;
  const errno =
    errnoCode(error) ??
    (error instanceof OAuthRecoveryError && error.code === 'CREDENTIAL_FILE'
      ? errnoCode(error.cause)
      : undefined);
  return errno && STORE_ERRNOS.has(errno) ? new StoreError(path, errno, { cause: error }) : error;
}

/**
 * Fails when the file system holding `directory` has less than MIN_FREE_BYTES (or twice the
 * file's size) available. A file system that cannot report its space is not refused.
 *
 * @throws {StoreError} `ENOSPC` naming `file`.
 */
export async function checkFreeSpace(directory: string, file: string, fileBytes = 0): Promise<void> {
  let available: number;
  try {
    const stats = await statfs(directory);
    available = stats.bavail * stats.bsize;
  } catch {
    return;
  }
  if (available < Math.max(MIN_FREE_BYTES, 2 * fileBytes)) throw new StoreError(file, 'ENOSPC');
}
