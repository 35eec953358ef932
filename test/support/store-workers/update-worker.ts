/**
 * Child process for the no-lost-update test: `count` locked read-modify-writes on one store.
 * Even steps increment a shared usage counter, odd steps write a fresher credential whose
 * expiry is the stored one + 1 s; both derive the new value from what they read under the lock,
 * so a lost update shows up as a missing increment at the end.
 * Usage: update-worker.ts <store> <workerId> <count>
 */
import { createFileProfileStore } from '../../../src/store/file-profile-store.js';

const [storePath, workerId, countText] = process.argv.slice(2);
if (!storePath || !workerId || !countText) throw new Error('usage: update-worker.ts <store> <id> <count>');
const count = Number(countText);
const store = createFileProfileStore({ path: storePath, lockOptions: { waitMs: 120_000 } });

for (let step = 0; step < count; step++) {
  if (step % 2 === 0) {
    await store.recordUsage('anthropic:shared', (usage) => ({ errorCount: (usage.errorCount ?? 0) + 1 }));
  } else {
    await store.updateCredential('anthropic:claude-cli', (current) => ({
      write: {
        accessToken: `sk-ant-oat01-worker-${workerId}-${step}`,
        refreshToken: `sk-ant-ort01-worker-${workerId}-${step}`,
        expiresAt: (current?.expiresAt ?? 0) + 1000,
      },
      result: undefined,
    }));
  }
}
process.stdout.write(`done ${workerId}\n`);
