/** File-system primitives for credential files: atomic writes, bounded reads, the cross-process lock. */
export {
  type AtomicWriteOptions,
  DEFAULT_STALE_TEMP_MS,
  DIRECTORY_MODE,
  FILE_MODE,
  listTempFiles,
  removeStaleTempFiles,
  tempFileName,
  writeFileAtomic,
} from './atomic-write.js';
export { describeFsError, errnoCode } from './fs-errors.js';
export { acquireLock, DEFAULT_LOCK_STALE_MS, type HeldLock, type LockOptions, withLock } from './lock.js';
export { DEFAULT_MAX_FILE_BYTES, type LimitedRead, readLimitedText } from './read-limited.js';
export { resolveRealTarget } from './resolve-target.js';
