/**
 * The runtime on real parts: files in temp dirs, the loopback fake of Anthropic with
 * single-use rotating refresh tokens, and a test clock (no real waiting).
 */
import { describe, expect, it } from 'vitest';
import { CooldownError } from '../../src/errors.js';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createRuntimeFixture, PROFILE_ID, recordStates, waitForState } from '../support/runtime-fixture.js';

const MINUTE = 60_000;

const fx = fixturePerTest(createRuntimeFixture);

describe('(a) expiry → refresh → ok', () => {
  it('refreshes once at the start of the refresh window and writes the rotated pair to the store and the CLI', async () => {
    const login = fx.fake.issueLogin();
    const shortLived = { ...login, expiresAt: fx.clock.now() + 10 * MINUTE };
    await fx.writeStoreLogin(shortLived);
    await fx.writeCliLogin(shortLived);
    const auth = fx.create({ watchCli: false });
    const refreshed: unknown[] = [];
    await auth.start();
    auth.on('refreshed', (event) => refreshed.push(event));
    expect(auth.getSnapshot().state).toBe('valid');
    expect(await auth.getAccessToken()).toBe(login.accessToken);

    const states = recordStates(auth);
    const settled = waitForState(auth, 'refreshing').then(() => waitForState(auth, 'valid'));
    fx.clock.advance(5 * MINUTE); // the 5-minute refresh window opens
    await settled;

    const token = await auth.getAccessToken();
    expect(token).not.toBe(login.accessToken);
    expect(fx.fake.tokenRequests).toBe(1);
    expect(fx.fake.tokenState(login.refreshToken)).toBe('revoked');
    expect(states).toEqual(['refreshing', 'valid']);
    expect(refreshed).toHaveLength(1);
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    expect(stored.access).toBe(token);
    expect((await fx.readStore()).profiles['openai:default']).toEqual({
      type: 'api_key',
      provider: 'openai',
      key: 'not-ours',
    });
    const cli = await fx.readCli();
    expect(cli.claudeAiOauth.accessToken).toBe(token);
    expect(cli.claudeAiOauth.subscriptionType).toBe('max');
    expect(cli.mcpOAuth).toEqual({ keep: 'me' });
  });
});

describe('(b) the CLI refreshed first → adopted under its refresh lock → retry → ok', () => {
  it("succeeds for the caller's withAuth call without a token request (no invalid_grant)", async () => {
    const l1 = fx.fake.issueLogin();
    await fx.writeStoreLogin(l1);
    await fx.writeCliLogin(l1);
    const auth = fx.create({ watchCli: false });
    await auth.start();
    // Later, the Claude CLI refreshes first: our pair is dead, the CLI holds the new one.
    fx.clock.jump(MINUTE);
    const l2 = fx.fake.rotate(l1.refreshToken);
    await fx.writeCliLogin(l2);
    const states = recordStates(auth);
    const events: string[] = [];
    auth.on('*', (event) => events.push(event.type));

    const tokensSeen: string[] = [];
    const result = await auth.withAuth(async (token) => {
      tokensSeen.push(token);
      return fx.callApi(token);
    });

    expect(result).toEqual({ ok: true });
    expect(tokensSeen).toEqual([l1.accessToken, l2.accessToken]);
    // The retry's success is what lets the machine leave `retrying`.
    await waitForState(auth, 'valid');
    // Under the CLI's refresh lock the refresh re-reads the CLI's file first and adopts its pair:
    // spending our dead refresh token would only have earned an invalid_grant.
    expect(states).toEqual(['refreshing', 'valid']);
    expect(events).toEqual(['refreshed', 'recovered']);
    expect(fx.fake.tokenRequests).toBe(0);
    expect((await fx.readStore()).profiles[PROFILE_ID].access).toBe(l2.accessToken);
  });
});

describe('(c) nothing fresher → cooldown → auto-expiry; a CLI login ends it at once', () => {
  it('cools down, retries when the cooldown ends by itself, and recovers at once on a new CLI login', async () => {
    const l1 = fx.fake.issueLogin();
    await fx.writeStoreLogin(l1);
    await fx.writeCliLogin('blank'); // the CLI's own refresh failed: it blanked its file
    fx.fake.rotate(l1.refreshToken); // someone else spent our refresh token
    const auth = fx.create();
    await auth.start();
    const ended: string[] = [];
    auth.on('cooldownEnded', (event) => ended.push(event.reason));

    const rejected = auth.withAuth((token) => fx.callApi(token));
    await expect(rejected).rejects.toBeInstanceOf(CooldownError);
    const first = await waitForState(auth, 'cooldown');
    expect(first.cooldownUntil).toBe(fx.clock.now() + 30_000);
    await auth.whenIdle();
    const error = await auth.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CooldownError);
    expect((error as CooldownError).until).toBe(first.cooldownUntil);
    // The blanked CLI file was not copied over our (dead but real) credential.
    expect((await fx.readStore()).profiles[PROFILE_ID].refresh).toBe(l1.refreshToken);
    expect((await fx.readStore()).usageStats[PROFILE_ID].cooldownUntil).toBe(first.cooldownUntil);

    // Auto-expiry: the cooldown ends by its timer, recovery runs again, fails again, cools down longer.
    const again = waitForState(auth, 'refreshing').then(() => waitForState(auth, 'cooldown'));
    fx.clock.advance(30_000);
    const second = await again;
    expect(ended).toEqual(['timer']);
    expect(second.consecutiveCooldowns).toBe(2);
    expect(second.cooldownUntil).toBe(fx.clock.now() + 60_000);

    // A fresh `claude` login ends the cooldown at once (the directory watcher sees the rename).
    const l3 = fx.fake.issueLogin();
    const recovered = waitForState(auth, 'valid');
    await fx.writeCliLogin(l3);
    await recovered;
    await auth.whenIdle();
    expect(ended).toEqual(['timer', 'credentialsChanged']);
    expect(await auth.getAccessToken()).toBe(l3.accessToken);
    expect((await fx.readStore()).usageStats[PROFILE_ID]?.cooldownUntil).toBeUndefined();
  });
});

describe('(d) single flight', () => {
  it('10,000 concurrent getAccessToken() calls at expiry make exactly one token request', async () => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(login);
    const auth = fx.create({ cliSource: false });
    await auth.start();
    fx.clock.jump(8 * 60 * MINUTE); // past expiry, before any timer could fire
    const tokens = await Promise.all(Array.from({ length: 10_000 }, () => auth.getAccessToken()));
    expect(fx.fake.tokenRequests).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(login.accessToken);
  });
});

describe('(f) a competing process rotates the tokens behind our back', () => {
  it('recovers through sync with no failure seen by the caller', async () => {
    const l1 = fx.fake.issueLogin();
    await fx.writeStoreLogin(l1);
    await fx.writeCliLogin(l1);
    const auth = fx.create();
    await auth.start();
    // Later, the Claude CLI refreshes on its own (rotating both tokens) and rewrites its file.
    fx.clock.jump(MINUTE);
    const l2 = fx.fake.rotate(l1.refreshToken);
    await fx.writeCliLogin(l2);
    const failures: unknown[] = [];
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        auth.withAuth((token) => fx.callApi(token)).catch((error: unknown) => failures.push(error)),
      ),
    );
    expect(failures).toEqual([]);
    expect(results.every((result) => (result as { ok?: boolean }).ok)).toBe(true);
    await waitForState(auth, 'valid');
    expect(await auth.getAccessToken()).toBe(l2.accessToken);
  });
});

describe('(g) a restart during cooldown', () => {
  it('keeps the cooldown and ends it on time', async () => {
    const l1 = fx.fake.issueLogin();
    // Expired, with a dead refresh token: a cooldown. (A token that still works would be served
    // under a restored cooldown, which then only defers its refresh.)
    await fx.writeStoreLogin({ ...l1, expiresAt: fx.clock.now() - 1_000 });
    await fx.writeCliLogin('blank');
    fx.fake.rotate(l1.refreshToken);
    const first = fx.create({ watchCli: false });
    const cooling = new Promise<number | null>((resolve) =>
      first.on('cooldownStarted', (event) => resolve(event.until)),
    );
    await first.start();
    const cooldownUntil = await cooling;
    expect(first.getSnapshot().state).toBe('cooldown');
    await first.stop();

    fx.clock.advance(10_000);
    const second = fx.create({ watchCli: false });
    await second.start();
    expect(second.getSnapshot().state).toBe('cooldown');
    expect(second.getSnapshot().cooldownUntil).toBe(cooldownUntil);
    // Resuming the stored cooldown is not a new failure.
    await second.whenIdle();
    expect((await fx.readStore()).usageStats[PROFILE_ID].errorCount).toBe(1);
    const ended: string[] = [];
    second.on('cooldownEnded', (event) => ended.push(event.reason));
    fx.clock.advance(19_999);
    expect(ended).toEqual([]);
    const retried = waitForState(second, 'refreshing');
    fx.clock.advance(1);
    await retried;
    expect(ended).toEqual(['timer']);
  });
});
