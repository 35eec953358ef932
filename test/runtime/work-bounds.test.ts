/**
 * Issue 9 inputs 2, 5 and 6 on the real runtime: a temp store, the loopback token server that
 * rotates refresh tokens, and a manual clock for the machine's timers. Each test failed on the
 * code before the bounds (noted per test) and pins the behaviour now.
 */
import { describe, expect, it } from 'vitest';
import { maxTokenRequestsPerMinute, resolvePolicy } from '../../machines/index.js';
import { CooldownError } from '../../src/errors.js';
import type { AuthRecovery } from '../../src/runtime/index.js';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createRuntimeFixture, PROFILE_ID } from '../support/runtime-fixture.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const REJECTED = {
  status: 401,
  error: { type: 'error', error: { type: 'authentication_error', message: 'OAuth token has been revoked' } },
};

const fx = fixturePerTest(createRuntimeFixture);

/** Lets the runtime finish what it started (a refresh under the lock, a save): no wait for time. */
async function settled(auth: AuthRecovery): Promise<void> {
  for (let round = 0; round < 50; round += 1) {
    await auth.whenIdle();
    await new Promise((resolve) => setImmediate(resolve));
    const { state } = auth.getSnapshot();
    if (state !== 'refreshing' && state !== 'syncingFromCli' && state !== 'retrying') return;
  }
}

/**
 * Waits for `work` (a call in flight, real HTTP included), letting simulated time pass whenever
 * the runtime waits out the minimum refresh interval, and nothing else.
 */
async function drive<T>(auth: AuthRecovery, work: Promise<T>): Promise<T> {
  let done = false;
  const watched = work.finally(() => {
    done = true;
  });
  while (!done) {
    await Promise.race([watched.catch(() => undefined), new Promise((resolve) => setImmediate(resolve))]);
    if (!done && auth.getSnapshot().state === 'throttled') fx.clock.fireNextTimer();
  }
  return watched;
}

/** The refresh tokens the endpoint was sent, in order (test memory only). */
function spentRefreshTokens(): string[] {
  return fx.fake.tokenRequestLog.map((request) =>
    String((request.body as { refresh_token?: unknown })?.refresh_token),
  );
}

describe('input 2: short-lived tokens', () => {
  it('expires_in 30: the rotated pair is stored and served; the spent token is never sent again', async () => {
    // Before: the 60 s freshness margin refused the new pair after the old refresh token was
    // spent (DowngradeRefusedError), and the retry spent the dead token: the login was lost.
    await fx.writeStoreLogin(fx.fake.issueLogin());
    fx.fake.setTokenAnswer({ fields: { expires_in: 30 } });
    const auth = fx.create({ cliSource: false });
    await auth.start();

    const token = await auth.refresh();

    expect(fx.fake.tokenRequests).toBe(1);
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    expect(stored.access).toBe(token);
    expect(stored.expires).toBe(fx.clock.now() + 30 * SECOND);
    expect(fx.fake.tokenState(stored.refresh)).toBe('valid');
    expect(await auth.getAccessToken()).toBe(token); // usable for its first 15 s
    expect(auth.getSnapshot().state).toBe('valid');

    // Refreshed at its half-life, again and again, each spending only the live refresh token.
    for (let cycle = 0; cycle < 4; cycle += 1) {
      fx.clock.advance(15 * SECOND);
      await settled(auth);
      expect(auth.getSnapshot().state).toBe('valid');
    }
    expect(fx.fake.tokenRequests).toBe(5);
    const spent = spentRefreshTokens();
    expect(new Set(spent).size).toBe(spent.length);
    const last = (await fx.readStore()).profiles[PROFILE_ID];
    expect(fx.fake.tokenState(last.refresh)).toBe('valid');
  });

  it('expires_in 200 under watch-like use: one refresh per half-life, not hundreds a second', async () => {
    // Before: the 5-min refresh window exceeded the 200 s lifetime, so every new token was due
    // at once: ~700 token requests in 6 s.
    await fx.writeStoreLogin(fx.fake.issueLogin());
    fx.fake.setTokenAnswer({ fields: { expires_in: 200 } });
    const auth = fx.create({ cliSource: false });
    await auth.start();
    await auth.refresh();
    const perSecond: number[] = [];
    for (let second = 0; second < 600; second += 1) {
      const before = fx.fake.tokenRequests;
      await auth.getAccessToken(); // an agent using the token every second
      fx.clock.advance(SECOND);
      await settled(auth);
      perSecond.push(fx.fake.tokenRequests - before);
    }
    // 600 s of 200 s tokens refreshed at 100 s: six more requests, never two in one minute.
    expect(fx.fake.tokenRequests).toBe(7);
    for (let start = 0; start + 60 <= perSecond.length; start += 1) {
      const inMinute = perSecond.slice(start, start + 60).reduce((sum, n) => sum + n, 0);
      expect(inMinute).toBeLessThanOrEqual(1);
    }
  }, 60_000);
});

describe('input 5: a persisted cooldown far beyond the policy', () => {
  it('serves a working token (no CooldownError), defers its refresh, and cuts the stored deadline', async () => {
    // Before: getAccessToken() threw CooldownError for six hours with a valid 8 h token.
    const login = fx.fake.issueLogin();
    const sixHours = fx.clock.now() + 6 * HOUR;
    await fx.writeStoreLogin(login, {
      usageStats: { [PROFILE_ID]: { errorCount: 7, cooldownUntil: sixHours } },
    });
    const auth = fx.create({ cliSource: false });
    await auth.start();

    expect(await auth.getAccessToken()).toBe(login.accessToken);
    expect(auth.getSnapshot()).toMatchObject({ state: 'valid', cooldownUntil: null });
    await auth.whenIdle();
    const clamped = fx.clock.now() + resolvePolicy(undefined).cooldownMaxMs;
    expect((await fx.readStore()).usageStats[PROFILE_ID]).toMatchObject({
      cooldownUntil: clamped,
      errorCount: 7,
    });
    expect(fx.fake.tokenRequests).toBe(0);
  });

  it('with an expired token: a cooldown of at most cooldownMaxMs, then a refresh', async () => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(
      { ...login, expiresAt: fx.clock.now() - SECOND },
      { usageStats: { [PROFILE_ID]: { errorCount: 7, cooldownUntil: fx.clock.now() + 6 * HOUR } } },
    );
    const auth = fx.create({ cliSource: false });
    await auth.start();
    const maxMs = resolvePolicy(undefined).cooldownMaxMs;
    expect(auth.getSnapshot()).toMatchObject({ state: 'cooldown', cooldownUntil: fx.clock.now() + maxMs });
    await expect(auth.getAccessToken()).rejects.toBeInstanceOf(CooldownError);
    fx.clock.advance(maxMs);
    await settled(auth);
    expect(auth.getSnapshot().state).toBe('valid');
    expect(fx.fake.tokenRequests).toBe(1);
  });
});

describe('input 6: every API call rejected', () => {
  it('20 withAuth calls that always get 401: maxRetries refreshes, then a cooldown that ends by itself', async () => {
    // Before: one refresh (a rotation) per call, unbounded: 20 calls → 20 token requests.
    await fx.writeStoreLogin(fx.fake.issueLogin());
    const auth = fx.create({ cliSource: false });
    await auth.start();
    const alwaysRejected = async () => {
      throw REJECTED;
    };
    const outcomes: unknown[] = [];
    for (let call = 0; call < 20; call += 1) {
      // A recovery right after a refresh waits out the minimum interval: that time passes.
      outcomes.push(
        await drive(
          auth,
          auth.withAuth(alwaysRejected).catch((error: unknown) => error),
        ),
      );
      await settled(auth);
    }
    const { maxRetries } = resolvePolicy(undefined);
    expect(fx.fake.tokenRequests).toBe(maxRetries);
    expect(auth.getSnapshot()).toMatchObject({ state: 'cooldown', lastError: 'rejectedAgain' });
    expect(outcomes.filter((error) => error instanceof CooldownError).length).toBeGreaterThan(15);

    // The cooldown ends by itself: one refresh, and a rejected fresh token means a longer cooldown.
    const first = (auth.getSnapshot().cooldownUntil as number) - fx.clock.now();
    fx.clock.advance(first);
    await settled(auth);
    expect(fx.fake.tokenRequests).toBe(maxRetries + 1);
    const again = auth.withAuth(alwaysRejected).catch((error: unknown) => error);
    await settled(auth);
    expect(await again).toBeInstanceOf(CooldownError);
    expect(auth.getSnapshot().state).toBe('cooldown');
    expect((auth.getSnapshot().cooldownUntil as number) - fx.clock.now()).toBe(2 * first);
    expect(fx.fake.tokenRequests).toBeLessThanOrEqual(maxTokenRequestsPerMinute(resolvePolicy(undefined)));
  });

  it('a call that succeeds with the fresh token clears the count (a later revocation is recovered)', async () => {
    await fx.writeStoreLogin(fx.fake.issueLogin());
    const auth = fx.create({ cliSource: false });
    await auth.start();
    for (let round = 0; round < 5; round += 1) {
      // The co-owner revokes our token; the call is recovered with a refresh and then succeeds.
      const token = await auth.getAccessToken();
      fx.fake.revoke(token);
      const call = auth.withAuth((accessToken) => fx.callApi(accessToken));
      await expect(drive(auth, call)).resolves.toEqual({ ok: true });
      await settled(auth);
      expect(auth.getSnapshot().state).toBe('valid');
    }
    expect(fx.fake.tokenRequests).toBe(5);
  });
});
