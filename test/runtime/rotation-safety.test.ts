/**
 * Rotation safety (issue 9): from the endpoint's 200 the rotated pair is the live login. A fault
 * is injected at every step after the token request is sent; in every case the process keeps
 * serving the new pair, the store holds it once the fault clears, and the spent refresh token
 * is never sent again (asserted on the token server's request log). Real files in temp dirs,
 * the real loopback token server, the real file store and CLI reader with small fault wrappers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClaudeCliSource } from '../../src/credentials/claude-cli-source.js';
import { fingerprintToken } from '../../src/credentials/fingerprint.js';
import { DowngradeRefusedError, LockTimeoutError, RefreshError, StoreError } from '../../src/errors.js';
import { createOAuthClient } from '../../src/oauth/refresh-client.js';
import type { AuthRecovery } from '../../src/runtime/index.js';
import { createFileProfileStore } from '../../src/store/file-profile-store.js';
import type { ProfileStore } from '../../src/store/types.js';
import type { IssuedLogin } from '../support/fake-anthropic.js';
import { createRuntimeFixture, PROFILE_ID, type RuntimeFixture } from '../support/runtime-fixture.js';

let fx: RuntimeFixture;
beforeEach(async () => {
  fx = await createRuntimeFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

/** Which neighbour fails, and with what, while `active`. */
interface Faults {
  /** Fails the store write that follows a spend (and the save retries) with this error. */
  storeWrite?: () => Error;
  /** Fails every usage-stats write. */
  usageWrite?: () => Error;
  /** Fails the CLI write-back. */
  cliWriteBack?: () => Error;
  active: boolean;
}

/** The real file store, with its credential writes and usage writes failing on demand. */
function faultyStore(faults: Faults): ProfileStore {
  const real = createFileProfileStore({ path: fx.storePath, now: fx.clock.now });
  return {
    location: real.location,
    readCredential: (id) => real.readCredential(id),
    readUsage: (id) => real.readUsage(id),
    checkWritable: () => real.checkWritable?.() ?? Promise.resolve(),
    watch: (onChange) => real.watch(onChange),
    updateCredential: (id, fn) =>
      real.updateCredential(id, async (current) => {
        const update = await fn(current);
        // After the caller's step (the spend) and before the write: the write fails.
        if (update.write && faults.active && faults.storeWrite) throw faults.storeWrite();
        return update;
      }),
    recordUsage: (id, patch) =>
      faults.active && faults.usageWrite ? Promise.reject(faults.usageWrite()) : real.recordUsage(id, patch),
  };
}

function faultyCli(faults: Faults) {
  const real = createClaudeCliSource({ configDir: fx.claudeDir, env: {}, now: fx.clock.now });
  return {
    ...real,
    read: () => real.read(),
    writeBack: (...args: Parameters<typeof real.writeBack>) =>
      faults.active && faults.cliWriteBack ? Promise.reject(faults.cliWriteBack()) : real.writeBack(...args),
  };
}

/** How many token requests sent exactly this refresh token. */
function sends(refreshToken: string): number {
  return fx.fake.tokenRequestLog.filter(
    (request) => (request.body as { refresh_token?: unknown } | undefined)?.refresh_token === refreshToken,
  ).length;
}

/**
 * Waits for `work` while the machine runs: whenever it waits on a timer (a backoff, a
 * cooldown) the test clock jumps to it; otherwise the next state change or the outcome is awaited.
 */
async function settle<T>(auth: AuthRecovery, work: Promise<T>): Promise<T | unknown> {
  let done = false;
  const outcome = work.then(
    (value) => value,
    (error: unknown) => error,
  );
  void outcome.finally(() => {
    done = true;
  });
  while (!done) {
    const state = auth.getSnapshot().state;
    const changed = new Promise<void>((resolve) => {
      const off = auth.subscribe(() => {
        off();
        resolve();
      });
      void outcome.finally(() => {
        off();
        resolve();
      });
    });
    // The machine waits on a timer in these states: a backoff, the minimum refresh interval, a cooldown.
    if (state === 'refreshFailed' || state === 'throttled' || state === 'cooldown') fx.clock.advance(30_000);
    await changed;
  }
  return outcome;
}

async function storedAccess(): Promise<string | undefined> {
  return (await fx.readStore()).profiles[PROFILE_ID]?.access;
}

async function startWith(faults: Faults): Promise<{ auth: AuthRecovery; login: IssuedLogin }> {
  const login = fx.fake.issueLogin();
  await fx.writeStoreLogin(login);
  await fx.writeCliLogin(login);
  const auth = fx.create({ store: faultyStore(faults), cliSource: faultyCli(faults), watchCli: false });
  await auth.start();
  return { auth, login };
}

const enospc = () => new StoreError('/store/auth-profiles.json', 'ENOSPC');

const STEPS: Array<[string, Omit<Faults, 'active'>]> = [
  [
    'the freshness gate refuses the new pair',
    { storeWrite: () => new DowngradeRefusedError(PROFILE_ID, 'injected') },
  ],
  ['the store write fails (ENOSPC)', { storeWrite: enospc }],
  [
    'the store write fails (lock timeout)',
    { storeWrite: () => new LockTimeoutError('/store/auth-profiles.json.lock', 10_000) },
  ],
  ['the CLI write-back fails', { cliWriteBack: () => Object.assign(new Error('EIO'), { code: 'EIO' }) }],
  ['the usage write fails', { usageWrite: enospc }],
  ['every write fails (store, usage, CLI)', { storeWrite: enospc, usageWrite: enospc, cliWriteBack: enospc }],
];

describe('a fault at each step after the token answer', () => {
  it.each(STEPS)(
    '%s: the new pair is served, stored once the fault clears, the spent token never resent',
    async (_, plan) => {
      const faults: Faults = { ...plan, active: true };
      const { auth, login } = await startWith(faults);

      const token = await auth.refresh();

      // Served at once, from memory.
      expect(token).not.toBe(login.accessToken);
      expect(fx.fake.tokenState(token)).toBe('valid');
      expect(await auth.getAccessToken()).toBe(token);
      const during = auth.getSnapshot();
      expect(during.state).toBe('valid');
      expect(during.refreshTokenDead).toBe(false);
      if (plan.storeWrite) {
        expect(during.lastFailure).toMatchObject({ kind: 'store' });
        // Asked again while the store still refuses: the live pair is still good, nothing is sent.
        expect(await settle(auth, auth.refresh())).toBe(token);
      }
      expect(fx.fake.tokenRequests).toBe(1);

      // The fault clears; the save retry (on the injected clock) lands the pair.
      faults.active = false;
      fx.clock.advance(60_000);
      await auth.whenIdle();
      expect(await storedAccess()).toBe(token);
      expect(auth.getSnapshot().lastFailure).toBeNull();
      expect(sends(login.refreshToken)).toBe(1);

      // A new process on the same store starts from the saved pair without a token request.
      await auth.stop();
      const next = fx.create({ cliSource: false, watchCli: false });
      await next.start();
      expect(await next.getAccessToken()).toBe(token);
      expect(fx.fake.tokenRequests).toBe(1);
    },
  );

  it("the store stays broken past the pair's refresh point: the in-memory pair is refreshed, each token spent once", async () => {
    const faults: Faults = { storeWrite: enospc, usageWrite: enospc, active: true };
    const { auth, login } = await startWith(faults);
    const first = await auth.refresh();
    const firstRefresh = (await fx.readStore()).profiles[PROFILE_ID].refresh as string;
    expect(firstRefresh).toBe(login.refreshToken); // the store still holds the spent pair

    // Eight hours on, still no space: the live pair (memory only) is refreshed from memory.
    fx.clock.advance(8 * 3_600_000 - 4 * 60_000);
    await auth.whenIdle();
    const second = await auth.getAccessToken();
    expect(second).not.toBe(first);
    expect(fx.fake.tokenState(second)).toBe('valid');
    expect(sends(login.refreshToken)).toBe(1);

    faults.active = false;
    fx.clock.advance(60_000);
    await auth.whenIdle();
    expect(await storedAccess()).toBe(second);
    expect(sends(login.refreshToken)).toBe(1);
    expect(fx.fake.tokenRequests).toBe(2);
  });

  it('our parsing of a 200 fails: the pair never reached us, so it cannot be served; the spent token is never resent', async () => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(login);
    const real = createOAuthClient({ tokenUrl: fx.fake.tokenUrl, now: fx.clock.now });
    const oauthClient = {
      tokenUrl: real.tokenUrl,
      async refresh(refreshToken: string) {
        await real.refresh(refreshToken); // the server rotates…
        throw new RefreshError('transient', 'injected: the 200 answer could not be read', {
          httpStatus: 200,
          contentType: 'application/json',
        });
      },
    };
    const auth = fx.create({ oauthClient, cliSource: false, watchCli: false });
    await auth.start();

    expect(await settle(auth, auth.refresh())).toBeInstanceOf(RefreshError);
    expect(sends(login.refreshToken)).toBe(1);
    const snapshot = auth.getSnapshot();
    expect(snapshot.refreshTokenDead).toBe(true);
    expect(snapshot.lastFailure).toMatchObject({ kind: 'permanent' });
    // The old access token still works and is still served; asking again sends nothing.
    expect(await auth.getAccessToken()).toBe(login.accessToken);
    await settle(auth, auth.refresh());
    expect(sends(login.refreshToken)).toBe(1);
  });
});

describe('a refresh token known dead stays dead for the next process', () => {
  it('a runtime started after one saw invalid_grant never sends that token (the store keeps its fingerprint, not the token)', async () => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(login);
    fx.fake.rotate(login.refreshToken); // spent elsewhere: the answer never reached us
    const first = fx.create({ cliSource: false, watchCli: false });
    await first.start();
    expect(await settle(first, first.refresh())).toBeInstanceOf(RefreshError);
    await first.stop();
    expect(sends(login.refreshToken)).toBe(1);
    const usage = (await fx.readStore()).usageStats[PROFILE_ID];
    expect(usage).toMatchObject({
      refreshTokenDead: true,
      deadRefreshToken: fingerprintToken(login.refreshToken),
    });
    expect(JSON.stringify(usage)).not.toContain(login.refreshToken);

    for (let restart = 0; restart < 3; restart += 1) {
      const next = fx.create({ cliSource: false, watchCli: false });
      await next.start();
      const error = await settle(next, next.refresh());
      expect(error).toBeInstanceOf(RefreshError);
      expect((error as RefreshError).kind).toBe('permanent');
      expect(next.getSnapshot().refreshTokenDead).toBe(true);
      // The access token still works and is still served.
      expect(await next.getAccessToken()).toBe(login.accessToken);
      await next.stop();
    }
    expect(sends(login.refreshToken)).toBe(1);
    expect(fx.fake.tokenRequests).toBe(1);
  });

  it('a new login in the store is spent as usual: the mark names the dead token only', async () => {
    const dead = fx.fake.issueLogin();
    await fx.writeStoreLogin(dead);
    fx.fake.rotate(dead.refreshToken);
    const first = fx.create({ cliSource: false, watchCli: false });
    await first.start();
    await settle(first, first.refresh());
    await first.stop();
    const usage = (await fx.readStore()).usageStats[PROFILE_ID];

    const fresh = fx.fake.issueLogin();
    await fx.writeStoreLogin(fresh, { usageStats: { [PROFILE_ID]: usage } }); // another tool wrote a new login
    const next = fx.create({ cliSource: false, watchCli: false });
    await next.start();
    const token = await settle(next, next.refresh());
    expect(fx.fake.tokenState(token as string)).toBe('valid');
    expect(sends(fresh.refreshToken)).toBe(1);
    expect(sends(dead.refreshToken)).toBe(1);
  });
});

describe('checked before a token is spent', () => {
  it('a store whose disk has no room is refused before the request: no token is spent', async () => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(login);
    const real = createFileProfileStore({ path: fx.storePath, now: fx.clock.now });
    const store: ProfileStore = {
      ...real,
      checkWritable: () => Promise.reject(new StoreError(fx.storePath, 'ENOSPC')),
    };
    const auth = fx.create({ store, cliSource: false, watchCli: false });
    await auth.start();

    expect(await settle(auth, auth.refresh())).toBeInstanceOf(Error);
    expect(fx.fake.tokenRequests).toBe(0);
    expect(auth.getSnapshot().lastFailure).toMatchObject({ kind: 'store', causeCode: 'ENOSPC' });
    expect(await auth.getAccessToken()).toBe(login.accessToken);
  });
});
