/**
 * `doctor`'s checks of the lock directories (`<file>.lock`) of the store and of the Claude
 * CLI's file: shared with other users (see doctor-shared-storage.ts), left behind by a dead
 * process (older than the stale age: taken over automatically), or held by a running one.
 */
import { resolveRealTarget } from '../fs/resolve-target.js';
import type { AddFinding } from './doctor-finding.js';
import { checkSharedStorage } from './doctor-shared-storage.js';
import { statOrNull } from './file-mode.js';
import { formatDuration } from './format.js';
import { describeError } from './output.js';

/**
 * Adds the findings of each `[check, file]` lock (e.g. `['store.lock', storePath]`).
 * @param staleMs age in ms at which a lock counts as stale (as the lock itself uses it).
 */
export async function checkLocks(
  locks: ReadonlyArray<readonly [check: string, file: string]>,
  staleMs: number,
  now: () => number,
  add: AddFinding,
): Promise<void> {
  for (const [check, file] of locks) {
    try {
      const lockPath = `${await resolveRealTarget(file)}.lock`;
      const shared = await checkSharedStorage(check.replace(/\.lock$/, ''), file, lockPath, staleMs, now());
      for (const finding of shared) add(finding.check, finding.level, finding.message, finding.fix);
      if (shared.some((finding) => finding.check === check)) continue; // a foreign lock: reported above
      const lockStat = await statOrNull(lockPath);
      if (!lockStat) continue;
      const age = now() - lockStat.mtimeMs;
      if (age > staleMs) {
        add(
          check,
          'warn',
          `stale lock ${lockPath} (last refreshed ${formatDuration(age)} ago; its holder is gone)`,
          `It is taken over automatically; if no oauth-recovery process runs, remove it: rm -r '${lockPath}'`,
        );
      } else add(check, 'ok', `lock ${lockPath} is held by a running process`);
    } catch (error) {
      add(check, 'warn', `could not check the lock: ${describeError(error).message}`, null);
    }
  }
}
