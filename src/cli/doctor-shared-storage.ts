/**
 * `doctor`'s view of a store in a directory other users can write (issue 11 item 6): the
 * directory's sharing (world-writable without the sticky bit is an error, as every write
 * refuses it; with the sticky bit, like /tmp, a warning) and a lock directory another user
 * owns that the next write would fail on. Reads only; no lock is taken.
 */
import path from 'node:path';
import { CredentialFileError, LockOwnedByOtherUserError } from '../errors.js';
import { assertLockNotForeign, checkStoreDirectory } from '../fs/shared-directory.js';
import { errorFinding, type Finding } from './doctor-finding.js';

/**
 * Findings for the directory holding `file` and for its lock `lockPath`, under `check`
 * (e.g. `store.directory`, `store.lock`). Empty when there is nothing to report.
 * @param staleMs age in ms at which a lock counts as stale (as the lock itself uses it).
 */
export async function checkSharedStorage(
  check: string,
  file: string,
  lockPath: string,
  staleMs: number,
  now: number,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const dir = path.dirname(path.resolve(file));
  try {
    if ((await checkStoreDirectory(file)) === 'sticky') {
      findings.push({
        check: `${check}.directory`,
        level: 'warn',
        message: `${dir} is world-writable (sticky): other users cannot replace the store, but can squat its lock name and block writes`,
        fix: 'Move the store to a directory only you can write (mode 0700).',
      });
    }
  } catch (error) {
    if (!(error instanceof CredentialFileError)) throw error;
    findings.push(errorFinding(`${check}.directory`, error));
  }
  try {
    await assertLockNotForeign(lockPath, staleMs, now);
  } catch (error) {
    if (!(error instanceof LockOwnedByOtherUserError)) throw error;
    findings.push(errorFinding(`${check}.lock`, error));
  }
  return findings;
}
