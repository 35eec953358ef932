/**
 * Crash-safe replacement of a credentials file: after any crash (even SIGKILL) the file holds
 * either the old or the new bytes, never a mix, and never a truncated file.
 *
 * Our own writer rather than write-file-atomic 7, because this one needs four things that
 * library does not offer: a hook right before the rename (a compromised lock must abort the
 * write there), an fsync of the directory after the rename (or the rename itself may be lost
 * on power failure), temp names we can recognise and clean up after a SIGKILL (its
 * `file.<number>` names are ambiguous and its cleanup runs only on a graceful exit), and
 * exclusive (`wx`) temp creation. The steps: resolve symlinks to the real target, create
 * missing directories 0700, write `.<name>.oauth-recovery.<host>.<pid>.<random>.tmp` in the
 * same directory with mode 0600, fsync it, run `beforeRename`, rename over the target, fsync
 * the directory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describeFsError, errnoCode } from './fs-errors.js';
import { resolveRealTarget } from './resolve-target.js';

export const FILE_MODE = 0o600;
export const DIRECTORY_MODE = 0o700;
/** A temp file this old is removed even when its writer might be alive (e.g. on another host). */
export const DEFAULT_STALE_TEMP_MS = 10 * 60_000;

export interface AtomicWriteOptions {
  /** Mode of the written file; default 0600. */
  mode?: number;
  /** Mode of directories created on the way; default 0700. */
  directoryMode?: number;
  /**
   * Runs after the temp file is durable and right before the rename. Throwing aborts the
   * write and leaves the target untouched (used to check a lock is still ours).
   */
  beforeRename?: () => void | Promise<void>;
  /** Age after which any of our temp files next to the target is removed. */
  staleTempMs?: number;
}

/** Atomically replaces `file` (or the file its symlinks point at). Returns the real path written. */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<string> {
  const mode = options.mode ?? FILE_MODE;
  const target = await resolveRealTarget(file);
  const directory = path.dirname(target);
  try {
    await mkdir(directory, { recursive: true, mode: options.directoryMode ?? DIRECTORY_MODE });
  } catch (error) {
    throw describeFsError(file, 'write', error);
  }
  await removeStaleTempFiles(target, { staleTempMs: options.staleTempMs });

  const owner = await existingOwner(target);
  const temp = path.join(directory, tempFileName(path.basename(target)));
  let renamed = false;
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode); // the umask may have narrowed the mode given to open()
      if (owner) await handle.chown(owner.uid, owner.gid);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await options.beforeRename?.();
    await rename(temp, target);
    renamed = true;
  } catch (error) {
    if (errnoCode(error) === undefined) throw error; // e.g. LockCompromisedError from beforeRename
    throw describeFsError(file, 'write', error);
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
  await fsyncDirectory(directory);
  return target;
}

/**
 * When root rewrites a file that belongs to someone else (a service editing a user's store),
 * the new file keeps the old owner, so the user can still read their own credentials.
 */
async function existingOwner(target: string): Promise<{ uid: number; gid: number } | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const stats = await stat(target);
    return stats.uid === 0 && stats.gid === 0 ? undefined : { uid: stats.uid, gid: stats.gid };
  } catch {
    return undefined;
  }
}

/** Makes the rename itself durable. Platforms that cannot fsync a directory are skipped. */
async function fsyncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'ENOTSUP') {
      throw describeFsError(directory, 'write', error);
    }
  } finally {
    await handle?.close();
  }
}

const TEMP_MARKER = 'oauth-recovery';
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 6);

export function tempFileName(baseName: string): string {
  return `.${baseName}.${TEMP_MARKER}.${HOST_TAG}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

function tempFilePattern(baseName: string): RegExp {
  const escaped = baseName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${escaped}\\.${TEMP_MARKER}\\.([0-9a-f]{6})\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`);
}

/** Our temp files next to `target` (basenames). */
export async function listTempFiles(target: string): Promise<string[]> {
  const pattern = tempFilePattern(path.basename(target));
  try {
    return (await readdir(path.dirname(target))).filter((name) => pattern.test(name));
  } catch {
    return [];
  }
}

/**
 * Removes temp files a killed writer left next to `target`: those of a dead process on this
 * host at once, any of ours older than `staleTempMs` otherwise. Best effort, never throws.
 * Returns how many were removed.
 */
export async function removeStaleTempFiles(
  target: string,
  options: { staleTempMs?: number | undefined; now?: number } = {},
): Promise<number> {
  const maxAge = options.staleTempMs ?? DEFAULT_STALE_TEMP_MS;
  const now = options.now ?? Date.now();
  const pattern = tempFilePattern(path.basename(target));
  const directory = path.dirname(target);
  let removed = 0;
  for (const name of await listTempFiles(target)) {
    const match = pattern.exec(name);
    if (!match) continue;
    const full = path.join(directory, name);
    const deadWriter = match[1] === HOST_TAG && !isProcessAlive(Number(match[2]));
    let stale = deadWriter;
    if (!stale) {
      try {
        stale = now - (await stat(full)).mtimeMs > maxAge;
      } catch {
        continue;
      }
    }
    if (stale) {
      try {
        await unlink(full);
        removed++;
      } catch {
        // Someone else removed it, or we may not: leave it.
      }
    }
  }
  return removed;
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM'; // exists, belongs to another user
  }
}
