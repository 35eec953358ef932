/**
 * Child process run under another uid: takes the store lock through the real code (bounded by
 * waitMs) and prints the outcome as JSON, so the parent sees how a lock another user owns is
 * handled. Usage: lock-as-user.ts <file> <waitMs>
 */
import { OAuthRecoveryError } from '../../../src/errors.js';
import { withLock } from '../../../src/fs/lock.js';

const [file, waitText] = process.argv.slice(2);
if (!file || !waitText) throw new Error('usage: lock-as-user.ts <file> <waitMs>');
try {
  await withLock(file, () => undefined, { waitMs: Number(waitText) });
  process.stdout.write(JSON.stringify({ ok: true }));
} catch (error) {
  const typed = error instanceof OAuthRecoveryError;
  process.stdout.write(
    JSON.stringify({ ok: false, name: (error as Error).name, json: typed ? error.toJSON() : null }),
  );
}
