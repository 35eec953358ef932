/**
 * Lock faults: a lock left by a SIGKILLed holder is taken over; a lock lost mid-write aborts
 * the write (LockCompromisedError, file byte-identical); and a clock stepping back an hour
 * wedges neither the lock nor a cooldown.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../machines/index.js';
import { CooldownError, LockCompromisedError } from '../../src/errors.js';
import { createFileProfileStore } from '../../src/store/file-profile-store.js';
import {
  createRuntimeFixture,
  PROFILE_ID,
  type RuntimeFixture,
  waitForState,
} from '../support/runtime-fixture.js';
import {
  caught,
  fileFingerprint,
  HOUR,
  makeCredential,
  NOW,
  REPO_ROOT,
  useTempDirs,
  WORKER_DIR,
} from '../support/store-workers/fixtures.js';

const tempDir = useTempDirs();
const STALE_MS = 2000;

async function storeWithCredential(dir: string): Promise<string> {
  const file = path.join(dir, 'agent', 'auth-profiles.json');
  await mkdir(path.dirname(file), { recursive: true });
  const credential = makeCredential({ expiresAt: NOW + HOUR });
  await writeFile(
    file,
    `${JSON.stringify({ version: 1, profiles: { [PROFILE_ID]: { type: 'oauth', provider: 'anthropic', access: credential.accessToken, refresh: credential.refreshToken, expires: credential.expiresAt } } }, null, 2)}\n`,
    { mode: 0o600 },
  );
  return file;
}

/** Starts test/support/store-workers/hold-lock.ts, waits until it holds the lock, SIGKILLs it. */
async function leaveLockOfDeadProcess(file: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(WORKER_DIR, 'hold-lock.ts'), file, String(STALE_MS)],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('locked')) resolve();
    });
    child.on('error', reject);
    child.on('close', () => reject(new Error('hold-lock exited before locking')));
  });
  const closed = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGKILL');
  await closed;
}

describe('lock faults', () => {
  it('a stale lock left by a SIGKILLed process is taken over, and the write lands', async () => {
    const file = await storeWithCredential(await tempDir());
    await leaveLockOfDeadProcess(file);
    await stat(`${file}.lock`); // the dead holder's lock is there
    const store = createFileProfileStore({ path: file, now: () => NOW, lockOptions: { staleMs: STALE_MS } });
    const next = makeCredential({ expiresAt: NOW + 2 * HOUR });
    const started = Date.now();
    await store.updateCredential(PROFILE_ID, () => ({ write: next, result: undefined }));
    const waited = Date.now() - started;
    expect((await store.readCredential(PROFILE_ID))?.accessToken).toBe(next.accessToken);
    expect(waited).toBeLessThan(STALE_MS * 1.5 + 1000);
    console.info(
      `[reliability] lock: stale lock of a killed holder taken over after ${waited} ms (stale ${STALE_MS} ms)`,
    );
  });

  it('a lock lost mid-write (taken over by another process) aborts the write with LockCompromisedError; the file is unchanged', async () => {
    const file = await storeWithCredential(await tempDir());
    const before = await fileFingerprint(file);
    const store = createFileProfileStore({ path: file, now: () => NOW });
    const error = await caught(
      store.updateCredential(PROFILE_ID, async () => {
        // Another process decides our lock is stale and takes it over: a new lock directory.
        const lock = `${await realpath(file)}.lock`;
        await rename(lock, `${lock}.taken`);
        await mkdir(lock);
        return { write: makeCredential({ expiresAt: NOW + 3 * HOUR }), result: undefined };
      }),
    );
    expect(error).toBeInstanceOf(LockCompromisedError);
    expect(await fileFingerprint(file)).toBe(before);
  });

  it('an injected clock stepping back an hour does not wedge the lock: updates keep landing at once', async () => {
    const file = await storeWithCredential(await tempDir());
    let now = NOW;
    const store = createFileProfileStore({ path: file, now: () => now });
    const other = createFileProfileStore({ path: file, now: () => now });
    await store.updateCredential(PROFILE_ID, () => ({
      write: makeCredential({ expiresAt: NOW + 2 * HOUR }),
      result: undefined,
    }));
    now -= HOUR; // the clock steps back
    const started = Date.now();
    await store.recordUsage(PROFILE_ID, { lastUsed: now });
    await other.updateCredential(PROFILE_ID, () => ({
      write: makeCredential({ expiresAt: NOW + 3 * HOUR }),
      result: undefined,
    }));
    await other.recordUsage(PROFILE_ID, (usage) => ({ errorCount: (usage.errorCount ?? 0) + 1 }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await other.readCredential(PROFILE_ID))?.expiresAt).toBe(NOW + 3 * HOUR);
    expect((await other.readUsage(PROFILE_ID)).errorCount).toBe(1);
    await expect(stat(`${file}.lock`)).rejects.toThrow();
  });

  describe('a runtime in cooldown when the clock steps back an hour', () => {
    let fx: RuntimeFixture;
    let offset = 0;
    afterEach(async () => {
      await fx.cleanup();
      offset = 0;
    });

    async function coolingDown() {
      fx = await createRuntimeFixture();
      const l1 = fx.fake.issueLogin();
      await fx.writeStoreLogin(l1);
      await fx.writeCliLogin('blank');
      fx.fake.rotate(l1.refreshToken);
      const auth = fx.create({ now: () => fx.clock.now() + offset });
      await auth.start();
      await auth.withAuth((token) => fx.callApi(token)).catch(() => undefined);
      const snapshot = await waitForState(auth, 'cooldown');
      await auth.whenIdle();
      return { auth, until: snapshot.cooldownUntil as number };
    }

    it('still ends when its timer fires', async () => {
      const { auth } = await coolingDown();
      offset = -HOUR; // the wall clock steps back
      expect(await auth.getAccessToken().catch((error: unknown) => error)).toBeInstanceOf(CooldownError);
      const ended: string[] = [];
      auth.on('cooldownEnded', (event) => ended.push(event.reason));
      const retried = waitForState(auth, 'refreshing');
      fx.clock.advance(30_000); // the cooldown timer's delay elapses
      // On the stepped-back wall clock the last token request lies ahead: the minimum interval
      // between requests is still waited out on the timer (at most minRefreshIntervalMs), not for the hour.
      expect(auth.getSnapshot().state).toBe('throttled');
      fx.clock.advance(DEFAULT_POLICY.minRefreshIntervalMs);
      await retried;
      expect(ended).toEqual(['timer']);
      await waitForState(auth, 'cooldown'); // nothing fresher anywhere: it cools down again, not forever
    });

    it('is ended at once by a new CLI login', async () => {
      const { auth } = await coolingDown();
      offset = -HOUR;
      fx.clock.jump(60_000); // the new login expires later than the stored one
      const l3 = fx.fake.issueLogin();
      const recovered = waitForState(auth, 'valid');
      await fx.writeCliLogin(l3);
      await recovered;
      expect(await auth.getAccessToken()).toBe(l3.accessToken);
      await auth.whenIdle();
      expect((await fx.readStore()).profiles[PROFILE_ID].access).toBe(l3.accessToken);
      expect(
        JSON.parse(await readFile(fx.storePath, 'utf8')).usageStats[PROFILE_ID]?.cooldownUntil,
      ).toBeUndefined();
    });
  });
});
