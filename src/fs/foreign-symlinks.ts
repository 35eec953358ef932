/**
 * Root must not follow a symlink another user controls: that user could point it at any file
 * (a password database, a unit file) and have root create, truncate or replace it. When the
 * process runs as root, every symlink on the way to a credentials file (in the path itself or
 * reached through a link) must be owned by root; otherwise the write, the lock or the read is
 * refused with a `CredentialFileError` naming the link and its owner.
 *
 * Decided over dropping to the owner's uid (a whole-process change Node cannot scope to one
 * write) and over O_NOFOLLOW alone (it guards only the last component, and our atomic writer
 * already never opens the target: it creates its temp file with O_EXCL and renames over the
 * target, which replaces a link rather than following it). Non-root processes are unaffected:
 * the kernel already limits them to what their own uid may write.
 */
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { CredentialFileError } from '../errors.js';
import { errnoCode } from './fs-errors.js';

const MAX_HOPS = 40;

/** True when this process runs with root's effective uid (never on Windows). */
export function runningAsRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/**
 * Walks `file`'s components (following root-owned links, at most 40 hops) and throws if any
 * symlink on the way belongs to another user. A no-op unless running as root.
 * @throws CredentialFileError naming the symlink and its owner's uid.
 */
export async function assertNoForeignSymlinks(file: string): Promise<void> {
  if (!runningAsRoot()) return;
  const pending = path.resolve(file).split(path.sep).filter(Boolean);
  let current = path.parse(path.resolve(file)).root;
  let hops = 0;
  while (pending.length > 0) {
    const next = path.join(current, pending.shift() as string);
    let stats: Awaited<ReturnType<typeof lstat>>;
    try {
      stats = await lstat(next);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return; // the rest does not exist yet: nothing to follow
      return; // other errors surface where the file is really used
    }
    if (!stats.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (stats.uid !== 0) {
      throw new CredentialFileError(
        file,
        `refusing to follow the symlink ${next}, owned by uid ${stats.uid}, while running as root`,
        {
          hint: `Run oauth-recovery as the user who owns ${path.dirname(next)} (systemd: User=), or replace the link with the real file.`,
        },
      );
    }
    if (++hops > MAX_HOPS) return; // a loop: resolveRealTarget reports it
    const target = await readlink(next);
    pending.unshift(...target.split(path.sep).filter(Boolean));
    if (path.isAbsolute(target)) current = path.parse(target).root;
  }
}
