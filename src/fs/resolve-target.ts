/**
 * Where a write to `file` really lands. Symlinks are followed to their final target so a
 * symlinked store is updated in place (the link survives) and the temp file sits next to the
 * real file (same file system, so the rename is atomic). Works for files that do not exist
 * yet (dangling links, missing directories); a loop is a typed error. The lock is keyed by the
 * same path, so every route to one file shares one lock.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { assertNoForeignSymlinks } from './foreign-symlinks.js';
import { describeFsError, errnoCode, symlinkLoopError } from './fs-errors.js';

const MAX_SYMLINK_HOPS = 40;

/**
 * The real path a write to `file` lands on: symlinks followed (also dangling ones), missing
 * directories resolved through their nearest existing ancestor.
 * @throws CredentialFileError for a symlink loop or a path that cannot be resolved.
 */
/**
 * The real path a write to `file` lands on (see above).
 * @throws CredentialFileError on a symlink loop, an unreadable path, or (as root) a symlink owned by another user.
 */
export async function resolveRealTarget(file: string): Promise<string> {
  await assertNoForeignSymlinks(file);
  let current = path.resolve(file);
  for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
    try {
      return await realpath(current);
    } catch (error) {
      throwUnlessMissing(file, error);
    }
    // Missing: either the file itself, or the end of a dangling link.
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw describeFsError(file, 'resolve', error);
      return path.join(await realDirectory(file, path.dirname(current)), path.basename(current));
    }
    if (!isLink) return current;
    current = path.resolve(path.dirname(current), await readlink(current));
  }
  throw symlinkLoopError(file);
}

/** Real path of a directory that may not exist yet: its nearest existing ancestor, resolved. */
async function realDirectory(file: string, dir: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch (error) {
    throwUnlessMissing(file, error);
    const parent = path.dirname(dir);
    if (parent === dir) return dir;
    return path.join(await realDirectory(file, parent), path.basename(dir));
  }
}

/** A missing path (ENOENT) passes to the caller; a symlink loop or any other error is thrown, naming `file`. */
function throwUnlessMissing(file: string, error: unknown): void {
  const code = errnoCode(error);
  if (code === 'ELOOP') throw symlinkLoopError(file, error);
  if (code !== 'ENOENT') throw describeFsError(file, 'resolve', error);
}
