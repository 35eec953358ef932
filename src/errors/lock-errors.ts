/** The store's cross-process lock: waited out, lost mid-write, or held by another user. */
import { OAuthRecoveryError } from './oauth-recovery-error.js';

/** Another process held the store's cross-process lock for longer than the wait allows. */
export class LockTimeoutError extends OAuthRecoveryError {
  /** The file the lock guards (the lock itself is `<lockPath>.lock`). */
  readonly lockPath: string;
  /** How long we waited before giving up, ms. */
  readonly waitedMs: number;
  constructor(lockPath: string, waitedMs: number, options?: { cause?: unknown }) {
    super('LOCK_TIMEOUT', `timed out after ${waitedMs} ms waiting for the lock on ${lockPath}`, {
      ...options,
      hint: 'Another process holds the store lock. If none is running, `oauth-recovery doctor` finds stale locks.',
    });
    this.lockPath = lockPath;
    this.waitedMs = waitedMs;
  }
}

/**
 * The lock was lost while we held it (taken over as stale, or its directory removed); the write
 * in progress was aborted, so nothing was written.
 */
export class LockCompromisedError extends OAuthRecoveryError {
  /** The file the lock guards. */
  readonly lockPath: string;
  constructor(lockPath: string, options?: { cause?: unknown }) {
    super('LOCK_COMPROMISED', `the lock on ${lockPath} was lost mid-write; the write was aborted`, {
      ...options,
      hint: 'Nothing was written. The operation can be retried.',
    });
    this.lockPath = lockPath;
  }
}

/**
 * The store's lock directory belongs to another (non-root) user, who may keep it forever, so
 * waiting would end in a timeout on every attempt. Raised at once instead (issue 11 item 6).
 */
export class LockOwnedByOtherUserError extends OAuthRecoveryError {
  /** The lock directory (`<store>.lock`). */
  readonly lockPath: string;
  /** Its owner's numeric uid. */
  readonly ownerUid: number;
  constructor(lockPath: string, ownerUid: number) {
    super(
      'LOCK_FOREIGN_OWNER',
      `the lock ${lockPath} is owned by another user (uid ${ownerUid}) and cannot be taken over`,
      {
        hint: `Keep the store in a directory only you can write (mode 0700); ask that user or root to remove '${lockPath}'.`,
      },
    );
    this.lockPath = lockPath;
    this.ownerUid = ownerUid;
  }
}
