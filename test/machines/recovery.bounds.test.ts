/**
 * The machine's bounds on work (issue 9): the refresh point scales with the token's lifetime,
 * a minimum interval separates recoveries' token requests (`throttled`), and tokens rejected
 * right after a recovery brought them lead to a cooldown instead of one refresh per call.
 */
import { describe, expect, it } from 'vitest';
import type { CredentialView } from '../../machines/index.js';
import {
  HOUR,
  MINUTE,
  permanentError,
  type RecoveryUnderTest,
  startRecovery,
  storeCredential,
  T0,
  TEST_POLICY,
} from './recovery-actor.js';

const SECOND = 1_000;
const refreshed = (now: number, lifetimeMs: number, fingerprint = `fp-${now}`): CredentialView => ({
  fingerprint,
  expiresAt: now + lifetimeMs,
  source: 'refresh',
});
const bounded = { ...TEST_POLICY, minRefreshIntervalMs: 10 * SECOND };
const expiredLogin = { credential: storeCredential(T0 - SECOND), policy: bounded };
const freshLogin = { credential: storeCredential(T0 + 8 * HOUR), policy: bounded };

async function refreshTo(sut: RecoveryUnderTest, lifetimeMs: number): Promise<void> {
  expect(sut.state()).toBe('refreshing');
  await sut.resolve('refreshToken', refreshed(sut.clock.now(), lifetimeMs));
}

describe('the refresh point scales with the lifetime', () => {
  it.each([
    ['expires_in: 200', 200 * SECOND, 100 * SECOND],
    ['expires_in: 30', 30 * SECOND, 15 * SECOND],
    ['expires_in: 8 h', 8 * HOUR, 8 * HOUR - 5 * MINUTE],
  ])('%s: refreshes after %i ms of a %i ms life, and serves it until then', async (_name, lifetime, at) => {
    const sut = startRecovery({ input: expiredLogin });
    await refreshTo(sut, lifetime);
    expect(sut.state()).toBe('valid');
    expect(sut.context().credential?.issuedAt).toBe(T0);
    expect(sut.context().nextRefreshAt).toBe(T0 + at);
    await sut.advance(at - 1);
    expect(sut.state()).toBe('valid');
    await sut.advance(1);
    expect(sut.state()).toBe('refreshing');
    expect(sut.inputs.refreshToken).toHaveLength(2);
  });

  it('a lifetime of 0 (or less) waits out the minimum interval instead of refreshing at once', async () => {
    for (const lifetime of [0, -HOUR, SECOND]) {
      const sut = startRecovery({ input: expiredLogin });
      await refreshTo(sut, lifetime);
      expect(sut.context().nextRefreshAt).toBe(T0 + 10 * SECOND);
      await sut.send({ type: 'TOKEN_EXPIRED' }); // the runtime sees an unusable token at once
      expect(sut.state()).toBe('throttled');
      expect(sut.inputs.refreshToken).toHaveLength(1);
      await sut.advance(10 * SECOND - 1);
      expect(sut.state()).toBe('throttled');
      await sut.advance(1);
      expect(sut.state()).toBe('refreshing');
    }
  });

  it('refreshJitterMs moves the point earlier by random() × jitter, seeded by the injected random', async () => {
    const sut = startRecovery({
      input: { ...expiredLogin, policy: { ...bounded, refreshJitterMs: 2 * MINUTE } },
      random: () => 0.5,
    });
    await refreshTo(sut, 8 * HOUR);
    expect(sut.context().nextRefreshAt).toBe(T0 + 8 * HOUR - 6 * MINUTE);
  });
});

describe('the minimum interval between token requests (throttled)', () => {
  it('a recovery right after a refresh waits in throttled, then requests', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await refreshTo(sut, 8 * HOUR);
    await sut.advance(3 * SECOND);
    await sut.send({ type: 'AUTH_REJECTED', status: 401 });
    expect(sut.state()).toBe('throttled');
    await sut.send({ type: 'AUTH_REJECTED', status: 401 });
    expect(sut.context().pendingCalls).toBe(2);
    await sut.advance(7 * SECOND - 1);
    expect(sut.state()).toBe('throttled');
    await sut.advance(1);
    expect(sut.state()).toBe('refreshing');
    expect(sut.inputs.refreshToken).toHaveLength(2);
  });

  it.each(['CREDENTIALS_CHANGED', 'SYNC_REQUESTED'] as const)(
    '%s while throttled syncs at once (no token request)',
    async (type) => {
      const sut = startRecovery({ input: expiredLogin });
      await refreshTo(sut, 8 * HOUR);
      await sut.send({ type: 'TOKEN_EXPIRED' });
      expect(sut.state()).toBe('throttled');
      await sut.send({ type });
      expect(sut.state()).toBe('syncingFromCli');
      expect(sut.inputs.refreshToken).toHaveLength(1);
    },
  );

  it('applies after a failed recovery too: a cooldown shorter than the interval ends in throttled', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    expect(sut.state()).toBe('cooldown');
    await sut.advance(TEST_POLICY.cooldownBaseMs as number);
    expect(sut.state()).toBe('throttled');
    await sut.advance(10 * SECOND - (TEST_POLICY.cooldownBaseMs as number));
    expect(sut.state()).toBe('refreshing');
  });

  it('the scheduled refresh point is never sooner than the interval, and counts as honouring it', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await refreshTo(sut, 4 * SECOND);
    expect(sut.context().nextRefreshAt).toBe(T0 + 10 * SECOND);
    await sut.advance(10 * SECOND);
    expect(sut.state()).toBe('refreshing');
  });
});

describe('rejected right after a refresh: refreshing does not help (issue 9 input 6)', () => {
  /** Every API call fails with 401 whatever the token. maxRetries is 2 in TEST_POLICY. */
  it('after maxRetries rejections of fresh tokens, cools down instead of refreshing again', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'AUTH_REJECTED', status: 401 }); // the loaded token: a normal recovery
    await refreshTo(sut, 8 * HOUR);
    await sut.advance(10 * SECOND);
    await sut.send({ type: 'AUTH_REJECTED', status: 401 }); // fresh token rejected: 1
    expect(sut.state()).toBe('refreshing');
    await refreshTo(sut, 8 * HOUR);
    await sut.advance(10 * SECOND);
    await sut.send({ type: 'AUTH_REJECTED', status: 401 }); // fresh token rejected: 2 = maxRetries
    expect(sut.state()).toBe('cooldown');
    expect(sut.inputs.refreshToken).toHaveLength(2);
    expect(sut.context()).toMatchObject({
      lastError: 'rejectedAgain',
      lastErrorMessage: 'rejectedAfterRefresh',
    });
    expect(sut.emittedOf('cooldownStarted').at(-1)).toMatchObject({
      reason: 'rejectedAgain',
      consecutive: 1,
    });

    // The cooldown ends by itself; one refresh; rejected again → a longer cooldown.
    const first = (sut.context().cooldownUntil as number) - sut.clock.now();
    await sut.advance(first);
    await refreshTo(sut, 8 * HOUR);
    await sut.advance(10 * SECOND);
    await sut.send({ type: 'AUTH_REJECTED', status: 401 });
    expect(sut.state()).toBe('cooldown');
    expect((sut.context().cooldownUntil as number) - sut.clock.now()).toBe(2 * first);
    expect(sut.inputs.refreshToken).toHaveLength(3);
  });

  it('a call that succeeds with a fresh token (TOKEN_ACCEPTED) clears the count', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'AUTH_REJECTED', status: 401 });
    await refreshTo(sut, 8 * HOUR);
    await sut.advance(10 * SECOND);
    await sut.send({ type: 'AUTH_REJECTED', status: 401 });
    await refreshTo(sut, 8 * HOUR);
    expect(sut.context()).toMatchObject({ unprovenRejections: 1, tokenProven: false });
    await sut.send({ type: 'TOKEN_ACCEPTED' });
    expect(sut.context()).toMatchObject({ unprovenRejections: 0, tokenProven: true });
    await sut.advance(10 * SECOND);
    await sut.send({ type: 'AUTH_REJECTED', status: 401 }); // a proven token revoked later: recover
    expect(sut.state()).toBe('refreshing');
  });

  it('a token that lived to its refresh point clears the count too', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'AUTH_REJECTED', status: 401 });
    await refreshTo(sut, 8 * HOUR);
    await sut.advance(10 * SECOND);
    await sut.send({ type: 'AUTH_REJECTED', status: 401 });
    await refreshTo(sut, HOUR);
    await sut.advance(HOUR - 5 * MINUTE);
    expect(sut.state()).toBe('refreshing');
    expect(sut.context().unprovenRejections).toBe(0);
  });

  it('a loaded token that is rejected is a normal recovery, whatever maxRetries', () => {
    const sut = startRecovery({ input: { ...freshLogin, policy: { ...bounded, maxRetries: 0 } } });
    sut.actor.send({ type: 'AUTH_REJECTED', status: 401 });
    expect(sut.state()).toBe('refreshing');
  });
});
