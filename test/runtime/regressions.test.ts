/**
 * Runtime bugs found while replaying the model on the real runtime, each pinned by the
 * smallest scenario that showed it.
 */
import { describe, expect, it } from 'vitest';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createRuntimeFixture, PROFILE_ID } from '../support/runtime-fixture.js';

const fx = fixturePerTest(createRuntimeFixture);

describe('a rotated pair is always kept', () => {
  it('stores (and writes back) the new pair even when it expires no later than the pair it replaced', async () => {
    // The endpoint's expiry can equal (same millisecond) or trail (the CLI's clock runs ahead)
    // the stored one. The old pair died with the rotation, so refusing the new one loses the login.
    const login = fx.fake.issueLogin();
    const ahead = { ...login, expiresAt: login.expiresAt + 30_000 };
    await fx.writeStoreLogin(ahead);
    await fx.writeCliLogin(ahead);
    const auth = fx.create({ watchCli: false });
    await auth.start();

    const token = await auth.refresh();

    expect(fx.fake.tokenRequests).toBe(1);
    expect(token).not.toBe(login.accessToken);
    expect(fx.fake.tokenState(token)).toBe('valid');
    expect(auth.getSnapshot().state).toBe('valid');
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    expect(stored.access).toBe(token);
    expect(fx.fake.tokenState(stored.refresh)).toBe('valid');
    expect((await fx.readCli()).claudeAiOauth.accessToken).toBe(token);
  });
});

describe('stop() waits for store work in flight', () => {
  it('returns only after a refresh that already spent its refresh token has saved the rotated pair', async () => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(login);
    const auth = fx.create({ cliSource: false });
    await auth.start();
    fx.fake.setLatency(150);
    const refreshing = auth.refresh().catch((error: unknown) => error);
    expect(auth.getSnapshot().state).toBe('refreshing');

    await auth.stop(); // e.g. the agent shuts down mid-refresh, then exits

    expect(fx.fake.tokenRequests).toBe(1);
    expect(fx.fake.tokenState(login.refreshToken)).toBe('revoked');
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    expect(stored.access).not.toBe(login.accessToken);
    expect(fx.fake.tokenState(stored.refresh)).toBe('valid');
    expect((await refreshing) as Error).toHaveProperty('code', 'STOPPED');
  });
});
