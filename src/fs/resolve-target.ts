/**
 * Where a write to `file` really lands. Symlinks are followed to their final target so a
 * symlinked store is updated in place (the link survives) and the temp file sits next to the
 * real file (same file system, so the rename is atomic). Works for files that do not exist
 * yet (dangling links, missing directories); a loop is a typed error. The lock is keyed by the
 * same path, so every route to one file shares one lock.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { describeFsError, errnoCode, symlinkLoopError } from './fs-errors.js';

const MAX_SYMLINK_HOPS = 40;

export async function resolveRealTarget(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
    try {
      return await realpath(current);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ELOOP') throw symlinkLoopError(file, error);
      if (code !== 'ENOENT') throw describeFsError(file, 'resolve', error);
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
    const code = errnoCode(error);
    if (code === 'ELOOP') throw symlinkLoopError(file, error);
    if (code !== 'ENOENT') throw describeFsError(file, 'resolve', error);
    const parent = path.dirname(dir);
    if (parent === dir) return dir;
    return path.join(await realDirectory(file, parent), path.basename(dir));
  }
}
