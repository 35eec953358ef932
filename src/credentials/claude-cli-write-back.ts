/**
 * The write-back both CLI stores share, under Claude Code's own `D/.storage-write.lock` (the
 * lock the CLI takes around every change of its credentials): re-read what the CLI holds now,
 * plan the new document, and only then hand the text to the store's own writer (an atomic
 * file write, or `security add-generic-password`). With the spent refresh token known, the
 * plan is the CLI's compare-and-swap; without it, the never-wipe/never-downgrade gate.
 */
import type { HeldLock } from '../fs/lock.js';
import {
  type ClaudeCliWriteBackOutcome,
  planClaudeCliCasWriteBack,
  planClaudeCliWriteBack,
} from './claude-cli-document.js';
import type { ClaudeCliCredentialsDocument } from './claude-cli-schema.js';
import { withClaudeStorageWriteLock } from './claude-code-locks.js';
import type { WriteOptions } from './freshness.js';
import type { OAuthCredential } from './types.js';

export interface LockedWriteBack {
  /** The CLI's storage dir `D` (holds `.storage-write.lock`). */
  storageDir: string;
  /** Names the store in errors: a file path or `keychain:<service>`. */
  target: string;
  read: () => Promise<{ document: ClaudeCliCredentialsDocument; text: string } | null>;
  /** Stores the planned text; runs only when there is something to write, still under the lock. */
  store: (text: string, lock: HeldLock) => Promise<void>;
  /** Read under the lock, after any wait for it. */
  now: () => number;
  marginMs: number;
}

export async function writeBackUnderLock(
  how: LockedWriteBack,
  rotated: OAuthCredential,
  options: WriteOptions = {},
): Promise<ClaudeCliWriteBackOutcome> {
  return withClaudeStorageWriteLock(how.storageDir, async (lock) => {
    const current = await how.read();
    if (options.replacesSpent !== undefined) {
      const plan = planClaudeCliCasWriteBack({
        document: current?.document ?? null,
        previousText: current?.text,
        rotated,
        spent: options.replacesSpent,
      });
      if (plan.text !== null) await how.store(plan.text, lock);
      return plan.outcome;
    }
    const text = planClaudeCliWriteBack({
      target: how.target,
      document: current?.document ?? null,
      previousText: current?.text,
      rotated,
      now: how.now(),
      marginMs: how.marginMs,
    });
    if (text === null) return 'unchanged';
    await how.store(text, lock);
    return 'written';
  });
}
