/**
 * The write-back both CLI stores share: under the lock, re-read what the CLI holds now, plan the
 * new document (never wipe, never downgrade; every other field kept), and only then hand the
 * text to the store's own writer (an atomic file write, or `security add-generic-password`).
 */
import { type HeldLock, type LockOptions, withLock } from '../fs/lock.js';
import { planClaudeCliWriteBack } from './claude-cli-document.js';
import type { ClaudeCliCredentialsDocument } from './claude-cli-schema.js';
import type { WriteOptions } from './freshness.js';
import type { OAuthCredential } from './types.js';

export interface LockedWriteBack {
  lockPath: string;
  lockOptions: LockOptions | undefined;
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
): Promise<void> {
  await withLock(
    how.lockPath,
    async (lock) => {
      const current = await how.read();
      const text = planClaudeCliWriteBack({
        target: how.target,
        document: current?.document ?? null,
        previousText: current?.text,
        rotated,
        now: how.now(),
        marginMs: how.marginMs,
        replacesSpent: options.replacesSpent,
      });
      if (text !== null) await how.store(text, lock);
    },
    how.lockOptions,
  );
}
