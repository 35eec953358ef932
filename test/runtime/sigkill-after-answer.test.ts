/**
 * SIGKILL between the token endpoint's 200 and the durable save (issue 9): a real
 * `oauth-recovery refresh` (or `watch`) child against the loopback fake, frozen by a test-only
 * preload (test/support/pause-after-answer.ts: nothing of it ships) at one point of that
 * window and SIGKILLed there:
 *
 * - `answer`: the 200 is in (the fetch resolved);
 * - `open`: the first file opened for writing after it, which must be our store's temp file
 *   (nothing that can wait comes first: no CLI write-back, no usage write, no lock owner record);
 * - `rename`: the temp file holding the new pair is written and fsynced, the rename is next;
 * - `renamed` (the control): the rename is done: the pair is durable, nothing is lost.
 *
 * Then fresh processes: what the server saw (which refresh token, how often), what the store
 * holds, that the spent token goes out at most once more (a new process cannot know it was
 * spent) and never again after the server refused it, what `status` says, and that a new
 * `claude` login is adopted by `sync`. docs/reliability.md "What a SIGKILL can lose" states it.
 */
import { readdir, readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTempFiles } from '../../src/fs/atomic-write.js';
import { createCliFixture, expectNoSecrets, expiresIn, PROFILE_ID } from '../cli/cli-harness.js';
import { bundleWorker } from '../support/bundle-worker.js';
import { fixturePerTest } from '../support/fixture-per-test.js';

type KillPoint = 'answer' | 'open' | 'rename' | 'renamed';

let preload: Awaited<ReturnType<typeof bundleWorker>>;
beforeAll(async () => {
  preload = await bundleWorker(path.join(import.meta.dirname, '..', 'support', 'pause-after-answer.ts'));
});
afterAll(async () => {
  await preload?.dispose();
});

const fx = fixturePerTest(createCliFixture);

/** The refresh tokens the token endpoint received, in order. */
function sentRefreshTokens(): unknown[] {
  return fx.fake.tokenRequestLog.map(
    (request) => (request.body as { refresh_token?: unknown } | undefined)?.refresh_token,
  );
}

/** The preload's environment for a child that freezes at `point` (or only measures). */
function pauseEnv(point: KillPoint | 'measure'): NodeJS.ProcessEnv {
  return fx.env({
    NODE_OPTIONS: `--import ${preload.file}`,
    PAUSE_TOKEN_URL: fx.fake.tokenUrl,
    PAUSE_STORE: fx.storePath,
    PAUSE_AT: point,
    TZ: 'UTC',
  });
}

/** Runs `command` until it freezes at `point`, SIGKILLs it there; returns what it reported. */
async function killAt(command: string, point: KillPoint): Promise<string> {
  const child = fx.spawn([command, ...fx.flags()], { env: pauseEnv(point) });
  const marker = `pause-after-answer: paused at ${point} `;
  await child.waitFor(({ stderr }) => stderr.includes(marker), 60_000);
  child.kill('SIGKILL');
  const exit = await child.exited;
  expect(exit.signal).toBe('SIGKILL');
  const line = exit.stderr.split('\n').find((text) => text.startsWith(marker)) ?? '';
  return line.slice(marker.length);
}

/**
 * A killed holder leaves its lock directories behind: ours (stale after 10 s) and Claude Code's
 * refresh locks (stale after 60 s, by its protocol). Ageing them stands for that wait, which a
 * real next process sits out (measured: 60.8 s for `refresh` right after the kill).
 */
async function ageLeftoverLocks(): Promise<string[]> {
  const entries = await readdir(fx.dir, { recursive: true });
  const locks = entries.filter((entry) => entry.endsWith('.lock'));
  const past = new Date(Date.now() - 5 * 60_000);
  for (const lock of locks) await utimes(path.join(fx.dir, lock), past, past);
  return locks;
}

const run = (args: string[]) => fx.run([...args, ...fx.flags()], { env: fx.env({ TZ: 'UTC' }) });

describe.each<[KillPoint, string]>([
  ['answer', 'refresh'],
  ['open', 'refresh'],
  ['open', 'watch'],
  ['rename', 'refresh'],
])('SIGKILL at %s (of `%s`), before the new pair is durable', (point, command) => {
  it('the pair is lost with the process; the spent token goes out once more, is refused, never again; status says log in; a new login is adopted', async () => {
    const login = fx.login({ expiresAt: expiresIn.minutes(3) }); // inside the refresh window
    await fx.writeStore(login);
    await fx.writeCli(login); // the usual setup: the CLI shares the login
    const storeBefore = await readFile(fx.storePath, 'utf8');

    const where = await killAt(command, point);

    // The server rotated: one request, with the stored refresh token, which is now spent.
    expect(sentRefreshTokens()).toEqual([login.refreshToken]);
    expect(fx.fake.tokenState(login.refreshToken)).toBe('revoked');
    // Nothing reached the store: it holds the spent pair, byte for byte; so does the CLI's file.
    expect(await readFile(fx.storePath, 'utf8')).toBe(storeBefore);
    expect((await fx.readCli()).claudeAiOauth.refreshToken).toBe(login.refreshToken);
    const orphans = await listTempFiles(fx.storePath);
    if (point === 'open') {
      // The first file opened for writing after the answer is our store's temp file (frozen
      // before it was created): nothing that can wait came first.
      expect(path.dirname(where)).toBe(path.dirname(fx.storePath));
      expect(path.basename(where)).toMatch(
        /^\.auth-profiles\.json\.oauth-recovery\.[0-9a-f]{6}\.\d+\.[0-9a-f]{12}\.tmp$/,
      );
      expect(orphans).toEqual([]);
    }
    if (point === 'rename') {
      // The new pair is on disk only in the dead writer's temp file; the store never names it.
      expect(orphans).toEqual([path.basename(where)]);
      const orphan = JSON.parse(await readFile(where, 'utf8'));
      expect(fx.fake.tokenState(orphan.profiles[PROFILE_ID].refresh)).toBe('valid');
    }
    if (point === 'answer') expect(orphans).toEqual([]);
    expect(await ageLeftoverLocks()).not.toEqual([]);

    // A new process cannot know the token was spent: it sends it once, the server refuses it.
    const second = await run(['refresh', '--json']);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/the refresh token was rejected \(HTTP 400 invalid_grant\)/);
    expect(sentRefreshTokens()).toEqual([login.refreshToken, login.refreshToken]);
    expect(fx.fake.invalidGrants).toBe(1);
    // It cleaned up the dead writer's temp file (with the only copy of the new pair, if any).
    expect(await listTempFiles(fx.storePath)).toEqual([]);

    // Every later process knows: no request at all, however often it is started.
    for (const args of [['refresh'], ['refresh', '--json']]) {
      const again = await run(args);
      expect(again.code).toBe(3);
      expectNoSecrets(again, fx.secrets);
    }
    expect(fx.fake.tokenRequestLog).toHaveLength(2);

    // status: login needed (exit 3), the failure named; the time is the stored expiry.
    const status = await run(['status']);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/^login {8}NEEDED: the refresh token is dead: log in before \d\d:\d\d/m);
    expect(status.stdout).toMatch(/^last failure .*: permanent, HTTP 400 invalid_grant/m);

    // A person logs in with `claude`; `sync` adopts it without a token request; all is well.
    const relogin = fx.login();
    await fx.writeCli(relogin);
    const sync = await run(['sync']);
    expect(sync.code).toBe(0);
    expect((await fx.readStore()).profiles[PROFILE_ID].refresh).toBe(relogin.refreshToken);
    expect((await run(['status'])).code).toBe(0);
    expect(fx.fake.tokenRequestLog).toHaveLength(2);
    expectNoSecrets(status, fx.secrets);
  });
});

describe('SIGKILL right after the rename (the control)', () => {
  it('the new pair is durable: the store holds it, the next process uses it without a request', async () => {
    const login = fx.login({ expiresAt: expiresIn.minutes(3) });
    await fx.writeStore(login);
    await fx.writeCli(login);

    await killAt('refresh', 'renamed');

    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    expect(stored.refresh).not.toBe(login.refreshToken);
    expect(fx.fake.tokenState(stored.refresh)).toBe('valid');
    expect(await listTempFiles(fx.storePath)).toEqual([]);
    await ageLeftoverLocks();
    const status = await run(['status', '--json']);
    expect(status.code).toBe(0);
    expect(fx.fake.tokenRequestLog).toHaveLength(1);
  });
});

describe('the window, measured', () => {
  it('one durable write of our store: open → write → fsync → rename → directory fsync, first after the answer', async () => {
    const rounds: Array<Record<string, number>> = [];
    for (let round = 0; round < 5; round += 1) {
      const login = fx.login({ expiresAt: expiresIn.minutes(3) });
      await fx.writeStore(login);
      await fx.writeCli(login);
      const result = await fx.run(['refresh', ...fx.flags()], { env: pauseEnv('measure') });
      expect(result.code).toBe(0);
      const line = result.stderr.split('\n').find((text) => text.startsWith('pause-after-answer: window '));
      const marks = JSON.parse(line?.slice('pause-after-answer: window '.length) ?? '{}');
      // In this order, each once: the store's write is the first thing after the answer.
      expect(marks.open).toBeLessThanOrEqual(marks.renamed);
      expect(marks.renamed).toBeLessThanOrEqual(marks.dirSynced);
      rounds.push(marks);
    }
    const median = (key: string) => rounds.map((marks) => marks[key] as number).sort((a, b) => a - b)[2];
    console.log(
      `SIGKILL window over 5 CLI refreshes, ms after the 200 (median): save opens ${median('open')?.toFixed(1)}, renamed ${median('renamed')?.toFixed(1)}, directory fsynced ${median('dirSynced')?.toFixed(1)}`,
    );
  });
});
