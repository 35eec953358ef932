/** A profile store that cannot be written or reached: the file store's disk, or the Redis store. */
import { OAuthRecoveryError } from './oauth-recovery-error.js';

/** What an errno means, for a person. */
const ERRNO_MEANING: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
};

/**
 * What to do about `errno` on `path`, for a person: permissions and ownership for `EACCES` /
 * `EPERM`, the mount for `EROFS`, space for `ENOSPC` / `EDQUOT`.
 */
export function storeErrorFix(path: string, errno: string): string {
  if (errno === 'EACCES' || errno === 'EPERM')
    return `Make ${path} writable by the user running oauth-recovery: check its owner and mode (\`ls -ld '${path}'\`), then \`chown\` it to that user or \`chmod u+w\` it (a store directory also needs u+x).`;
  if (errno === 'EROFS')
    return `${path} is on a read-only file system: remount it read-write or point --store elsewhere.`;
  if (errno === 'ENOSPC' || errno === 'EDQUOT') return `Free space on the file system of ${path}.`;
  return `Check the disk and the permissions of ${path} and its directory.`;
}

/**
 * Our own profile store could not be written (a full or read-only disk, permissions, a lock
 * directory that cannot be created). `path` is the file or directory, `errno` the system code
 * (`ENOSPC`, `EROFS`, `EACCES`…). Thrown by the file store's writes and `checkWritable()`;
 * the runtime keeps serving a rotated pair from memory meanwhile and retries the save. The
 * default hint says so; a one-shot command passes its own `hint`.
 */
export class StoreError extends OAuthRecoveryError {
  /** The file or directory that could not be written. */
  readonly path: string;
  /** The system error code, e.g. `ENOSPC`, `EROFS`, `EACCES`. */
  readonly errno: string;
  constructor(path: string, errno: string, options?: { cause?: unknown; hint?: string }) {
    const meaning = ERRNO_MEANING[errno];
    super('STORE_WRITE', `${path}: could not write the store (${errno}${meaning ? `: ${meaning}` : ''})`, {
      cause: options?.cause,
      hint:
        options?.hint ??
        `${storeErrorFix(path, errno)} Meanwhile a rotated login is kept in memory and saved as soon as a write succeeds.`,
    });
    this.path = path;
    this.errno = errno;
  }
  /** The base fields plus `path` and `errno`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), path: this.path, errno: this.errno };
  }
}

/**
 * The Redis profile store failed: unreachable server, a configuration it cannot work with (no
 * encryption key, a malformed key), a record it cannot decrypt, or a commit that kept losing its
 * race. The message never holds a token.
 */
export class RedisStoreError extends OAuthRecoveryError {
  /** The server without credentials, and the key prefix: `redis://host:port/db (prefix oauthrec)`. */
  readonly location: string;
  /** What went wrong, e.g. `read: no answer within 10000 ms`. */
  readonly reason: string;
  /** The server's refusal of a write, when that was the cause: `READONLY`, `OOM`, `NOREPLICAS`, `MISCONF`, `NOPERM`. */
  readonly causeCode: string | undefined;
  constructor(
    location: string,
    reason: string,
    options?: { cause?: unknown; hint?: string; causeCode?: string },
  ) {
    super('REDIS_STORE', `${location}: ${reason}`, {
      cause: options?.cause,
      hint:
        options?.hint ??
        'Run `oauth-recovery doctor --store <the same redis:// URL>`: it checks that the server answers, the key decrypts and who holds the lease.',
    });
    this.location = location;
    this.reason = reason;
    this.causeCode = options?.causeCode;
  }
  /** The base fields plus `location` and `reason`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), location: this.location, reason: this.reason };
  }
}
