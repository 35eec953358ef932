/**
 * Targeted behaviour of the recovery machine on a real actor: exact delays on a simulated
 * clock, emitted payloads, pending-call bookkeeping, and the failure classifiers. The
 * model-based suite (test/model) proves every state and edge is reachable; this one pins the
 * numbers and payloads down.
 */
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock, toPromise } from 'xstate';
import {
  classifyFailure,
  createRecoveryMachine,
  describeFailure,
  type RecoveryEmitted,
} from '../../machines/index.js';
import {
  cliCredential,
  HOUR,
  MINUTE,
  PROFILE,
  permanentError,
  RAW_ACCESS_TOKEN,
  RAW_REFRESH_TOKEN,
  type RecoveryUnderTest,
  refreshedCredential,
  settle,
  startRecovery,
  storeCredential,
  T0,
  TEST_POLICY,
  transientError,
} from './recovery-actor.js';

const expiredLogin = { credential: storeCredential(T0 - 1_000) };
const freshLogin = { credential: storeCredential(T0 + 8 * HOUR) };
/** Still usable, but inside the refresh window: refreshed at once unless something defers it. */
const expiringLogin = { credential: storeCredential(T0 + 3 * MINUTE) };

/** From `refreshing`: the refresh token is dead and the CLI has nothing better → cooldown. */
async function failIntoCooldown(sut: RecoveryUnderTest): Promise<void> {
  expect(sut.state()).toBe('refreshing');
  await sut.reject('refreshToken', permanentError());
  expect(sut.state()).toBe('syncingFromCli');
  await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
  expect(sut.state()).toBe('cooldown');
}

/** The delay of the pending timer, found exactly: not fired at ms − 1, fired at ms. */
async function expectFiresAfter(sut: RecoveryUnderTest, ms: number, from: string, to: string): Promise<void> {
  expect(sut.state()).toBe(from);
  if (ms > 0) {
    await sut.advance(ms - 1);
    expect(sut.state(), `still "${from}" 1 ms before the ${ms} ms delay`).toBe(from);
  }
  await sut.advance(ms > 0 ? 1 : 0);
  expect(sut.state(), `"${to}" once ${ms} ms have passed`).toBe(to);
}

describe('classifyFailure', () => {
  it.each<[string, unknown, ReturnType<typeof classifyFailure>]>([
    ['a permanent RefreshError', { kind: 'permanent' }, { kind: 'permanent', retryAfterMs: null }],
    [
      'a transient one with Retry-After',
      { kind: 'transient', retryAfterMs: 2_000 },
      { kind: 'transient', retryAfterMs: 2_000 },
    ],
    [
      'a permanent one with Retry-After',
      { kind: 'permanent', retryAfterMs: 0 },
      { kind: 'permanent', retryAfterMs: 0 },
    ],
    ['an unknown kind', { kind: 'PERMANENT' }, { kind: 'transient', retryAfterMs: null }],
    ['a plain Error', new Error('boom'), { kind: 'transient', retryAfterMs: null }],
    [
      'an Error carrying kind',
      Object.assign(new Error('x'), { kind: 'permanent' }),
      { kind: 'permanent', retryAfterMs: null },
    ],
    ['null', null, { kind: 'transient', retryAfterMs: null }],
    ['undefined', undefined, { kind: 'transient', retryAfterMs: null }],
    ['a string', 'permanent', { kind: 'transient', retryAfterMs: null }],
    ['a number', 429, { kind: 'transient', retryAfterMs: null }],
    ['Retry-After NaN', { retryAfterMs: Number.NaN }, { kind: 'transient', retryAfterMs: null }],
    [
      'Retry-After Infinity',
      { retryAfterMs: Number.POSITIVE_INFINITY },
      { kind: 'transient', retryAfterMs: null },
    ],
    ['Retry-After as a string', { retryAfterMs: '3000' }, { kind: 'transient', retryAfterMs: null }],
  ])('%s', (_name, error, expected) => {
    expect(classifyFailure(error)).toEqual(expected);
  });
});

describe('describeFailure', () => {
  it.each<[string, unknown, string]>([
    ['the code wins over the name', { code: 'REFRESH_FAILED', name: 'RefreshError' }, 'REFRESH_FAILED'],
    ['the name when there is no code', { name: 'CredentialParseError' }, 'CredentialParseError'],
    ['the name when the code is not a string', { code: 400, name: 'RefreshError' }, 'RefreshError'],
    ['an Error subclass', new TypeError('bad'), 'TypeError'],
    ['neither code nor name', {}, 'Error'],
    ['non-string code and name', { code: 1, name: 2 }, 'Error'],
    ['null', null, 'Error'],
    ['undefined', undefined, 'Error'],
    ['a string', 'sk-ant-oat01-secret', 'Error'],
  ])('%s', (_name, error, expected) => {
    expect(describeFailure(error)).toBe(expected);
  });

  it('never returns the message, which may quote a token', () => {
    expect(describeFailure(permanentError())).toBe('REFRESH_FAILED');
    expect(describeFailure(new Error(`bad token ${RAW_ACCESS_TOKEN}`))).toBe('Error');
  });
});

describe('default actors', () => {
  const machine = createRecoveryMachine({ now: () => T0 });

  it.each([
    ['refreshToken', { profileId: PROFILE, credential: null }],
    ['syncFromCli', { profileId: PROFILE, credential: null }],
    ['retryPendingCalls', { profileId: PROFILE, credential: null, pendingCalls: 1 }],
  ] as const)('%s rejects with a "not provided" message', async (id, input) => {
    const logic = machine.implementations.actors[id];
    if (!logic || typeof logic === 'string') throw new Error(`no default actor "${id}"`);
    const child = createActor(logic as Parameters<typeof createActor>[0], { input });
    child.start();
    await expect(toPromise(child)).rejects.toThrow(
      `actor "${id}" was not provided: supply it with machine.provide({ actors: { ${id} } })`,
    );
  });

  it('an unprovided machine still ends in a cooldown, not in an error', async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const errors: unknown[] = [];
    const actor = createActor(createRecoveryMachine({ now: () => clock.now(), random: () => 0 }), {
      clock,
      input: { profileId: PROFILE, ...expiredLogin, policy: { ...TEST_POLICY, maxRetries: 0 } },
      inspect: (inspection) => {
        if (inspection.type === '@xstate.event' && inspection.event.type.startsWith('xstate.error.actor.')) {
          errors.push((inspection.event as { error?: unknown }).error);
        }
      },
    });
    actor.start();
    await settle();
    await settle();
    expect(actor.getSnapshot().status).toBe('active');
    expect(actor.getSnapshot().value).toBe('cooldown');
    expect(actor.getSnapshot().context.lastError).toBe('unreadable');
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'actor "refreshToken" was not provided: supply it with machine.provide({ actors: { refreshToken } })',
      'actor "syncFromCli" was not provided: supply it with machine.provide({ actors: { syncFromCli } })',
    ]);
    actor.stop();
  });
});

describe('injected dependencies', () => {
  it('reads the wall clock when no clock is injected', () => {
    const machine = createRecoveryMachine({ random: () => 0 });
    const fresh = createActor(machine, {
      input: { profileId: PROFILE, credential: storeCredential(Date.now() + HOUR) },
    });
    fresh.start();
    expect(fresh.getSnapshot().value).toBe('valid');
    fresh.stop();
    const stale = createActor(machine, {
      input: { profileId: PROFILE, credential: storeCredential(Date.now() + 30_000) },
    });
    stale.start();
    expect(stale.getSnapshot().value).toBe('refreshing');
    stale.stop();
  });

  it('jitters with Math.random when no random is injected: the default backoff stays in [250, 500] ms', async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const actor = createActor(createRecoveryMachine({ now: () => clock.now() }), {
      clock,
      input: { profileId: PROFILE, credential: storeCredential(T0 - 1) },
    });
    actor.start();
    await settle();
    expect(actor.getSnapshot().value).toBe('refreshFailed');
    clock.increment(249);
    expect(actor.getSnapshot().value).toBe('refreshFailed');
    clock.increment(251);
    expect(actor.getSnapshot().status).toBe('active');
    expect(actor.getSnapshot().value).toBe('refreshing');
    actor.stop();
  });
});

describe('names the runtime, the inspector and docs/events.md rely on', () => {
  it('the machine is "recovery" and its delayed events carry the state ids', async () => {
    const machine = createRecoveryMachine({ now: () => T0 });
    expect(machine.id).toBe('recovery');
    const sut = startRecovery({ input: { credential: storeCredential(T0 + 2 * MINUTE) } });
    const seen: string[] = [];
    sut.actor.system.inspect((inspection) => {
      if (inspection.type === '@xstate.event') seen.push(inspection.event.type);
    });
    await sut.advance(0);
    expect(seen).toContain('xstate.after.refreshAt.recovery.valid');
  });

  it('invoked actors run under their own names, and their results are named after them', async () => {
    const sut = startRecovery({ input: freshLogin });
    const seen: string[] = [];
    sut.actor.system.inspect((inspection) => {
      if (inspection.type === '@xstate.event') seen.push(inspection.event.type);
    });
    await sut.send({ type: 'AUTH_REJECTED' });
    expect(Object.keys(sut.actor.getSnapshot().children)).toEqual(['refreshToken']);
    await sut.reject('refreshToken', permanentError());
    expect(Object.keys(sut.actor.getSnapshot().children)).toEqual(['syncFromCli']);
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(T0) });
    expect(Object.keys(sut.actor.getSnapshot().children)).toEqual(['retryPendingCalls']);
    await sut.resolve('retryPendingCalls', { rejected: 0 });
    expect(seen).toEqual(
      expect.arrayContaining([
        'xstate.error.actor.refreshToken',
        'xstate.done.actor.syncFromCli',
        'xstate.done.actor.retryPendingCalls',
      ]),
    );
  });
});

describe('initializing', () => {
  it('starts valid with a fresh token and schedules the refresh at expiry − refresh window', async () => {
    const sut = startRecovery({ input: freshLogin });
    expect(sut.context().nextRefreshAt).toBe(T0 + 8 * HOUR - 5 * MINUTE);
    await expectFiresAfter(sut, 8 * HOUR - 5 * MINUTE, 'valid', 'refreshing');
    expect(sut.context().nextRefreshAt).toBeNull();
    expect(sut.context().recoveryStartedAt).toBe(T0 + 8 * HOUR - 5 * MINUTE);
  });

  it('refreshes at once when the token is already inside the refresh window', async () => {
    const sut = startRecovery({ input: { credential: storeCredential(T0 + 2 * MINUTE) } });
    expect(sut.state()).toBe('valid');
    await settle();
    // The refreshAt delay is 0: it fires on the next clock tick, without time passing.
    await sut.advance(0);
    expect(sut.state()).toBe('refreshing');
    expect(sut.clock.now()).toBe(T0);
  });

  it.each([
    ['no credential', { credential: null }],
    ['an expired credential', expiredLogin],
    ['one inside the freshness margin', { credential: storeCredential(T0 + MINUTE) }],
    ['a blank one', { credential: storeCredential(0, '') }],
    ['a rejected one', { credential: { ...storeCredential(T0 + HOUR), rejected: true } }],
  ])('starts a recovery with %s', (_name, input) => {
    const sut = startRecovery({ input });
    expect(sut.state()).toBe('refreshing');
    expect(sut.context().recoveryStartedAt).toBe(T0);
    expect(sut.inputs.refreshToken).toEqual([{ profileId: PROFILE, credential: input.credential }]);
  });

  it('starts valid just outside the freshness margin', () => {
    const sut = startRecovery({ input: { credential: storeCredential(T0 + MINUTE + 1) } });
    expect(sut.state()).toBe('valid');
  });

  it('an invalid policy puts the actor in error status at start, with a RangeError', () => {
    const errors: unknown[] = [];
    const actor = createActor(createRecoveryMachine({ now: () => T0 }), {
      input: { profileId: PROFILE, policy: { maxRetries: -1 } },
    });
    actor.subscribe({ error: (error) => errors.push(error) });
    actor.start();
    expect(actor.getSnapshot().status).toBe('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RangeError);
    expect((errors[0] as Error).message).toBe('policy.maxRetries must be a finite number ≥ 0 (got -1)');
  });

  it('holds what it was given and nothing else', () => {
    const sut = startRecovery({ input: { ...freshLogin, consecutiveCooldowns: 3 } });
    expect(sut.context()).toEqual({
      profileId: PROFILE,
      credential: freshLogin.credential,
      policy: expect.objectContaining({ maxRetries: 2, cooldownBaseMs: 1_000 }),
      attempts: 0,
      consecutiveCooldowns: 3,
      cooldownUntil: null,
      nextRefreshAt: T0 + 8 * HOUR - 5 * MINUTE,
      refreshNotBefore: null,
      retryAfterMs: null,
      lastError: null,
      lastErrorMessage: null,
      pendingCalls: 0,
      recoveryStartedAt: null,
      lastRefreshAt: null,
      tokenProven: true,
      unprovenRejections: 0,
    });
  });

  it('defaults the counters of a minimal input', () => {
    const sut = startRecovery({ input: { credential: undefined, policy: undefined } });
    expect(sut.context()).toMatchObject({
      credential: null,
      consecutiveCooldowns: 0,
      cooldownUntil: null,
      policy: expect.objectContaining({ maxRetries: 3, cooldownBaseMs: 30_000 }),
    });
  });
});

describe('restored cooldown deadline', () => {
  it('in the future: waits exactly the remainder, then recovers', async () => {
    const sut = startRecovery({
      input: { ...expiredLogin, cooldownUntil: T0 + 2_500, consecutiveCooldowns: 2 },
    });
    expect(sut.emitted).toEqual([
      { type: 'cooldownStarted', profileId: PROFILE, until: T0 + 2_500, consecutive: 2, reason: null },
    ]);
    await expectFiresAfter(sut, 2_500, 'cooldown', 'refreshing');
    expect(sut.context().cooldownUntil).toBeNull();
    expect(sut.emittedOf('cooldownEnded')).toEqual([
      { type: 'cooldownEnded', profileId: PROFILE, reason: 'timer' },
    ]);
  });

  it('in the future with a token that still works: serves it, and refreshes no sooner than the deadline', () => {
    // Issue 9 input 5: the old machine started in cooldown here (CooldownError for a working token).
    const sut = startRecovery({ input: { ...expiringLogin, cooldownUntil: T0 + 3_000 } });
    expect(sut.state()).toBe('valid');
    expect(sut.emittedOf('cooldownStarted')).toEqual([]);
    expect(sut.context()).toMatchObject({ cooldownUntil: null, refreshNotBefore: T0 + 3_000 });
    expect(sut.context().nextRefreshAt).toBe(T0 + 3_000);
  });

  it('in the future with an expired token: waits', () => {
    const sut = startRecovery({ input: { ...expiredLogin, cooldownUntil: T0 + 1 } });
    expect(sut.state()).toBe('cooldown');
  });

  it('beyond the policy (another tool wrote now + 6 h): clamped to cooldownMaxMs', async () => {
    const sut = startRecovery({
      input: { ...expiredLogin, cooldownUntil: T0 + 6 * HOUR, consecutiveCooldowns: 7 },
    });
    expect(sut.state()).toBe('cooldown');
    expect(sut.context().cooldownUntil).toBe(T0 + 4_000);
    await sut.advance(4_000);
    expect(sut.state()).toBe('refreshing');
  });

  it('now or in the past: goes straight to recovery', () => {
    for (const cooldownUntil of [T0, T0 - 1, 0]) {
      const sut = startRecovery({ input: { ...expiredLogin, cooldownUntil } });
      expect(sut.state()).toBe('refreshing');
      expect(sut.emittedOf('cooldownStarted')).toEqual([]);
    }
  });

  it('in the past with a fresh token: valid', () => {
    const sut = startRecovery({ input: { ...freshLogin, cooldownUntil: T0 - 1 } });
    expect(sut.state()).toBe('valid');
  });

  it('a restored count keeps growing the next cooldown', async () => {
    const sut = startRecovery({
      input: { ...expiredLogin, cooldownUntil: T0 + 500, consecutiveCooldowns: 1 },
    });
    await sut.advance(500);
    await failIntoCooldown(sut);
    // 1 000 × 2¹ for the second cooldown in a row.
    expect(sut.context().cooldownUntil).toBe(T0 + 500 + 2_000);
    expect(sut.context().consecutiveCooldowns).toBe(2);
  });
});

describe('refresh', () => {
  it('adopts the refreshed credential and emits refreshed then recovered', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.advance(1_234);
    await sut.resolve('refreshToken', refreshedCredential(T0));
    expect(sut.state()).toBe('valid');
    expect(sut.context().credential).toEqual({ ...refreshedCredential(T0), issuedAt: T0 + 1_234 });
    expect(sut.context().nextRefreshAt).toBe(T0 + 8 * HOUR - 5 * MINUTE);
    expect(sut.emitted).toEqual([
      {
        type: 'refreshed',
        profileId: PROFILE,
        fingerprint: 'fp-refreshed',
        expiresAt: T0 + 8 * HOUR,
        source: 'refresh',
      },
      {
        type: 'recovered',
        profileId: PROFILE,
        fingerprint: 'fp-refreshed',
        expiresAt: T0 + 8 * HOUR,
        durationMs: 1_234,
      },
    ]);
  });

  it("reports source 'store' when another process won the refresh and we adopted its token", async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.resolve('refreshToken', { ...refreshedCredential(T0, 'fp-winner'), source: 'store' });
    expect(sut.emittedOf('refreshed')[0]).toMatchObject({ fingerprint: 'fp-winner', source: 'store' });
  });

  it('emits neutral values (never undefined) when an actor resolves without a credential', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.resolve('refreshToken', null);
    expect(sut.emitted).toEqual([
      { type: 'refreshed', profileId: PROFILE, fingerprint: '', expiresAt: 0, source: 'refresh' },
      { type: 'recovered', profileId: PROFILE, fingerprint: '', expiresAt: 0, durationMs: 0 },
    ]);
    // No credential: valid schedules no deadline and refreshes again at once.
    expect(sut.context().nextRefreshAt).toBeNull();
    await sut.advance(0);
    expect(sut.state()).toBe('refreshing');
  });

  it('a proactive refresh from valid starts a recovery whose duration counts from the refresh window', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.advance(8 * HOUR - 5 * MINUTE);
    await sut.advance(700);
    await sut.resolve('refreshToken', refreshedCredential(sut.clock.now()));
    expect(sut.emittedOf('recovered')[0]?.durationMs).toBe(700);
    expect(sut.context().recoveryStartedAt).toBeNull();
  });

  it('TOKEN_EXPIRED in valid starts a refresh with the current credential', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'TOKEN_EXPIRED' });
    expect(sut.state()).toBe('refreshing');
    expect(sut.inputs.refreshToken).toEqual([{ profileId: PROFILE, credential: freshLogin.credential }]);
    expect(sut.context().pendingCalls).toBe(0);
  });
});

describe('backoff', () => {
  it('retries a transient failure after the exponential backoff, then syncs when retries run out', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.reject('refreshToken', transientError());
    expect(sut.context()).toMatchObject({
      lastError: 'transient',
      lastErrorMessage: 'REFRESH_TRANSIENT',
      attempts: 0,
    });
    await expectFiresAfter(sut, 100, 'refreshFailed', 'refreshing');
    expect(sut.context().attempts).toBe(1);
    await sut.reject('refreshToken', transientError());
    await expectFiresAfter(sut, 200, 'refreshFailed', 'refreshing');
    expect(sut.context().attempts).toBe(2);
    await sut.reject('refreshToken', transientError());
    // maxRetries = 2 spent: straight to the CLI, no third backoff.
    expect(sut.state()).toBe('syncingFromCli');
    expect(sut.inputs.refreshToken).toHaveLength(3);
  });

  it('takes jitter off the top with the injected random', async () => {
    const sut = startRecovery({ input: expiredLogin, random: () => 0.5 });
    await sut.reject('refreshToken', transientError());
    // 100 − 100 × 0.5 × 0.5
    await expectFiresAfter(sut, 75, 'refreshFailed', 'refreshing');
  });

  it('respects a longer Retry-After', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.reject('refreshToken', transientError({ retryAfterMs: 5_000 }));
    expect(sut.context().retryAfterMs).toBe(5_000);
    await expectFiresAfter(sut, 5_000, 'refreshFailed', 'refreshing');
  });

  it('keeps the backoff when Retry-After is shorter', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.reject('refreshToken', transientError({ retryAfterMs: 50 }));
    await expectFiresAfter(sut, 100, 'refreshFailed', 'refreshing');
  });

  it('caps Retry-After at retryMaxMs', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.reject('refreshToken', transientError({ retryAfterMs: 60_000 }));
    await expectFiresAfter(sut, 10_000, 'refreshFailed', 'refreshing');
  });

  it('forgets a Retry-After once a later failure comes without one', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.reject('refreshToken', transientError({ retryAfterMs: 5_000 }));
    await sut.advance(5_000);
    await sut.reject('refreshToken', transientError());
    expect(sut.context().retryAfterMs).toBeNull();
    await expectFiresAfter(sut, 200, 'refreshFailed', 'refreshing');
  });

  it('counts calls rejected during the backoff', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.reject('refreshToken', transientError());
    await sut.send({ type: 'AUTH_REJECTED', status: 401 });
    expect(sut.state()).toBe('refreshFailed');
    expect(sut.context().pendingCalls).toBe(1);
  });

  it('a permanent failure goes to the CLI at once, without a backoff', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.reject('refreshToken', permanentError());
    expect(sut.state()).toBe('syncingFromCli');
    expect(sut.context()).toMatchObject({
      lastError: 'permanent',
      lastErrorMessage: 'REFRESH_FAILED',
      attempts: 0,
    });
    expect(sut.inputs.syncFromCli).toEqual([{ profileId: PROFILE, credential: expiredLogin.credential }]);
  });

  it('maxRetries 0: a transient failure goes to the CLI at once', async () => {
    const sut = startRecovery({ input: { ...expiredLogin, policy: { ...TEST_POLICY, maxRetries: 0 } } });
    await sut.reject('refreshToken', transientError({ retryAfterMs: 1_000 }));
    expect(sut.state()).toBe('syncingFromCli');
    await sut.advance(10_000);
    expect(sut.inputs.refreshToken).toHaveLength(1);
  });
});

describe('cooldown', () => {
  it('grows per consecutive cooldown, is capped, and resets after a recovery', async () => {
    const sut = startRecovery({ input: expiredLogin });
    const expected = [1_000, 2_000, 4_000, 4_000];
    for (const [index, duration] of expected.entries()) {
      const enteredAt = sut.clock.now();
      await failIntoCooldown(sut);
      expect(sut.context().cooldownUntil).toBe(enteredAt + duration);
      expect(sut.context().consecutiveCooldowns).toBe(index + 1);
      expect(sut.emittedOf('cooldownStarted').at(-1)).toEqual({
        type: 'cooldownStarted',
        profileId: PROFILE,
        until: enteredAt + duration,
        consecutive: index + 1,
        reason: 'notFresher',
      });
      await expectFiresAfter(sut, duration, 'cooldown', 'refreshing');
    }
    expect(sut.emittedOf('cooldownEnded')).toHaveLength(4);

    await sut.resolve('refreshToken', refreshedCredential(sut.clock.now()));
    expect(sut.state()).toBe('valid');
    expect(sut.context()).toMatchObject({ consecutiveCooldowns: 0, cooldownUntil: null, lastError: null });

    await sut.advance(1); // the minimum interval since the last token request
    await sut.send({ type: 'AUTH_REJECTED' }); // a rejected token: nothing left to serve
    const enteredAt = sut.clock.now();
    await failIntoCooldown(sut);
    expect(sut.context().cooldownUntil).toBe(enteredAt + 1_000);
    expect(sut.context().consecutiveCooldowns).toBe(1);
  });

  it('resets attempts and pending calls, and records why', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.send({ type: 'AUTH_REJECTED' });
    await sut.reject('refreshToken', transientError());
    await sut.advance(100);
    await sut.reject('refreshToken', permanentError());
    expect(sut.context()).toMatchObject({ attempts: 1, pendingCalls: 1 });
    await sut.reject(
      'syncFromCli',
      Object.assign(new Error('malformed JSON'), { name: 'CredentialParseError' }),
    );
    expect(sut.state()).toBe('cooldown');
    expect(sut.context()).toMatchObject({
      attempts: 0,
      pendingCalls: 0,
      lastError: 'unreadable',
      lastErrorMessage: 'CredentialParseError',
    });
    expect(sut.emittedOf('cooldownStarted')[0]?.reason).toBe('unreadable');
  });

  it.each([
    ['CREDENTIALS_CHANGED', 'credentialsChanged'],
    ['SYNC_REQUESTED', 'syncRequested'],
  ] as const)(
    'an interrupted cooldown (%s, nothing found) returns to the SAME deadline',
    async (type, reason) => {
      const sut = startRecovery({ input: expiredLogin });
      await failIntoCooldown(sut);
      const until = T0 + 1_000;
      expect(sut.context().cooldownUntil).toBe(until);

      await sut.advance(300);
      await sut.send({ type });
      expect(sut.state()).toBe('syncingFromCli');
      expect(sut.emittedOf('cooldownEnded')).toEqual([{ type: 'cooldownEnded', profileId: PROFILE, reason }]);
      await sut.resolve('syncFromCli', { status: 'blank', credential: null });

      expect(sut.state()).toBe('cooldown');
      expect(sut.context()).toMatchObject({ cooldownUntil: until, consecutiveCooldowns: 1 });
      expect(sut.emittedOf('cooldownStarted').at(-1)).toEqual({
        type: 'cooldownStarted',
        profileId: PROFILE,
        until,
        consecutive: 1,
        reason: 'notFresher',
      });
      await expectFiresAfter(sut, 700, 'cooldown', 'refreshing');
    },
  );

  it('an interrupted cooldown whose sync fails also keeps its deadline', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await failIntoCooldown(sut);
    await sut.advance(999);
    await sut.send({ type: 'CREDENTIALS_CHANGED' });
    await sut.reject('syncFromCli', new Error('EACCES'));
    expect(sut.context()).toMatchObject({ cooldownUntil: T0 + 1_000, lastError: 'unreadable' });
    await expectFiresAfter(sut, 1, 'cooldown', 'refreshing');
  });

  it('a sync that outlives the old deadline starts a new, longer cooldown', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await failIntoCooldown(sut);
    await sut.advance(500);
    await sut.send({ type: 'SYNC_REQUESTED' });
    await sut.advance(500);
    await sut.resolve('syncFromCli', { status: 'missing', credential: null });
    expect(sut.context()).toMatchObject({ cooldownUntil: T0 + 1_000 + 2_000, consecutiveCooldowns: 2 });
  });

  it('ends at once with a fresher CLI credential, and the recovery resets the counters', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await failIntoCooldown(sut);
    await sut.advance(400);
    await sut.send({ type: 'CREDENTIALS_CHANGED' });
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(sut.clock.now()) });
    expect(sut.state()).toBe('valid');
    expect(sut.context()).toMatchObject({
      credential: cliCredential(T0 + 400),
      consecutiveCooldowns: 0,
      cooldownUntil: null,
      attempts: 0,
    });
    expect(sut.emitted.map((event) => event.type)).toEqual([
      'cooldownStarted',
      'cooldownEnded',
      'synced',
      'recovered',
    ]);
    expect(sut.emittedOf('synced')[0]).toEqual({
      type: 'synced',
      profileId: PROFILE,
      fingerprint: 'fp-cli',
      expiresAt: T0 + 400 + 9 * HOUR,
    });
    // The recovery began when the first refresh was due, cooldown included.
    expect(sut.emittedOf('recovered')[0]).toEqual({
      type: 'recovered',
      profileId: PROFILE,
      fingerprint: 'fp-cli',
      expiresAt: T0 + 400 + 9 * HOUR,
      durationMs: 400,
    });
  });

  it('re-entering an unexpired cooldown after a re-sync resets the attempt and call counters', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await failIntoCooldown(sut);
    await sut.send({ type: 'CREDENTIALS_CHANGED' });
    await sut.send({ type: 'AUTH_REJECTED' });
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(T0) });
    await sut.resolve('retryPendingCalls', { rejected: 1 });
    await sut.send({ type: 'AUTH_REJECTED' });
    expect(sut.context()).toMatchObject({ attempts: 1, pendingCalls: 1 });
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    expect(sut.state()).toBe('cooldown');
    expect(sut.context()).toMatchObject({
      cooldownUntil: T0 + 1_000,
      consecutiveCooldowns: 1,
      attempts: 0,
      pendingCalls: 0,
    });
  });

  it('records why nothing was adopted', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await failIntoCooldown(sut);
    expect(sut.context()).toMatchObject({ lastError: 'notFresher', lastErrorMessage: 'notFresher' });
  });

  it('a sync actor that resolves with nothing counts as nothing fresher', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', null);
    expect(sut.actor.getSnapshot().status).toBe('active');
    expect(sut.state()).toBe('cooldown');
  });

  it('a timer-ended cooldown keeps the recovery start for the duration', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await failIntoCooldown(sut);
    await sut.advance(1_000);
    expect(sut.context().recoveryStartedAt).toBe(T0);
    await sut.advance(50);
    await sut.resolve('refreshToken', refreshedCredential(sut.clock.now()));
    expect(sut.emittedOf('recovered')[0]?.durationMs).toBe(1_050);
  });
});

describe('sync from valid', () => {
  it.each([
    ['nothing fresher', { status: 'notFresher', credential: null }],
    ['the same token', { status: 'adopted', credential: storeCredential(T0 + 8 * HOUR) }],
    ['a token expiring earlier', { status: 'adopted', credential: storeCredential(T0 + 7 * HOUR, 'fp-old') }],
    ['a blanked CLI file', { status: 'blank', credential: storeCredential(0, '') }],
    ['a fresher token that was not adopted', { status: 'notFresher', credential: cliCredential(T0) }],
  ] as const)('stays valid without a cooldown on %s', async (_name, output) => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'CREDENTIALS_CHANGED' });
    expect(sut.inputs.syncFromCli).toEqual([{ profileId: PROFILE, credential: freshLogin.credential }]);
    await sut.resolve('syncFromCli', output);
    expect(sut.state()).toBe('valid');
    expect(sut.context().credential).toEqual(freshLogin.credential);
    expect(sut.context().lastError).toBeNull();
    expect(sut.emitted).toEqual([]);
  });

  it('stays valid when the CLI file cannot be read', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'SYNC_REQUESTED' });
    await sut.reject('syncFromCli', new Error('EACCES'));
    expect(sut.state()).toBe('valid');
    expect(sut.context().lastError).toBeNull();
  });

  it('adopts a fresher CLI token with no pending calls and reports a zero-length recovery', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'SYNC_REQUESTED' });
    await sut.advance(30);
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(T0) });
    expect(sut.state()).toBe('valid');
    expect(sut.inputs.retryPendingCalls).toEqual([]);
    expect(sut.emittedOf('recovered')).toEqual([
      {
        type: 'recovered',
        profileId: PROFILE,
        fingerprint: 'fp-cli',
        expiresAt: T0 + 9 * HOUR,
        durationMs: 0,
      },
    ]);
  });

  it('a fresher token that is not a real upgrade is not adopted after a failure either', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.reject('refreshToken', permanentError());
    // Usable, but inside the freshness margin: not better than nothing.
    await sut.resolve('syncFromCli', {
      status: 'adopted',
      credential: storeCredential(T0 + MINUTE, 'fp-cli'),
    });
    expect(sut.state()).toBe('cooldown');
    expect(sut.context().credential).toEqual(expiredLogin.credential);
  });
});

describe('pending calls', () => {
  it('AUTH_REJECTED during refreshing counts pending calls; retrying retries exactly that many', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'AUTH_REJECTED', status: 401, message: 'OAuth token has been revoked' });
    expect(sut.state()).toBe('refreshing');
    expect(sut.context().pendingCalls).toBe(1);
    expect(sut.context().credential?.rejected).toBe(true);
    expect(sut.inputs.refreshToken[0]?.credential).toEqual({ ...freshLogin.credential, rejected: true });

    await sut.send({ type: 'AUTH_REJECTED', status: 401 });
    await sut.send({ type: 'AUTH_REJECTED', status: 403 });
    expect(sut.state()).toBe('refreshing');
    expect(sut.context().pendingCalls).toBe(3);
    expect(sut.inputs.refreshToken).toHaveLength(1);

    await sut.reject('refreshToken', permanentError());
    await sut.send({ type: 'AUTH_REJECTED' });
    expect(sut.state()).toBe('syncingFromCli');
    expect(sut.context().pendingCalls).toBe(4);

    const cli = cliCredential(T0);
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cli });
    expect(sut.state()).toBe('retrying');
    expect(sut.inputs.retryPendingCalls).toEqual([
      { profileId: PROFILE, credential: { ...cli, issuedAt: T0 }, pendingCalls: 4 },
    ]);

    await sut.resolve('retryPendingCalls', { rejected: 0 });
    expect(sut.state()).toBe('valid');
    expect(sut.context()).toMatchObject({ pendingCalls: 0, credential: cli, lastError: null });
    expect(sut.emitted.map((event) => event.type)).toEqual(['synced', 'recovered']);
  });

  it('a successful refresh answers pending calls without the retry actor', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'AUTH_REJECTED' });
    await sut.resolve('refreshToken', refreshedCredential(T0));
    expect(sut.state()).toBe('valid');
    expect(sut.context().pendingCalls).toBe(0);
    expect(sut.inputs.retryPendingCalls).toEqual([]);
  });

  it('AUTH_REJECTED while valid without a credential does not invent one', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await sut.resolve('refreshToken', null);
    await sut.send({ type: 'AUTH_REJECTED' });
    expect(sut.context().credential).toBeNull();
    expect(sut.context().pendingCalls).toBe(1);
  });

  it('a call rejected again with retries left re-syncs, clears the calls and spends an attempt', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'AUTH_REJECTED' });
    await sut.reject('refreshToken', permanentError());
    const cli = cliCredential(T0);
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cli });
    await sut.resolve('retryPendingCalls', { rejected: 1 });
    expect(sut.state()).toBe('syncingFromCli');
    expect(sut.context()).toMatchObject({
      attempts: 1,
      pendingCalls: 0,
      lastError: 'rejectedAgain',
      lastErrorMessage: 'rejectedAgain',
      credential: { ...cli, issuedAt: T0, rejected: true },
    });
    expect(sut.inputs.syncFromCli[1]).toEqual({
      profileId: PROFILE,
      credential: { ...cli, issuedAt: T0, rejected: true },
    });

    // A second, newer CLI login: nothing left to retry, so straight to ok.
    const newer = cliCredential(T0 + 1, 'fp-cli-2');
    await sut.resolve('syncFromCli', { status: 'adopted', credential: newer });
    expect(sut.state()).toBe('valid');
    expect(sut.inputs.retryPendingCalls).toHaveLength(1);
    expect(sut.context()).toMatchObject({ credential: { ...newer, issuedAt: T0 }, attempts: 0 });
  });

  it('a call rejected again with no retries left cools down', async () => {
    const sut = startRecovery({ input: { ...freshLogin, policy: { ...TEST_POLICY, maxRetries: 0 } } });
    await sut.send({ type: 'AUTH_REJECTED' });
    await sut.send({ type: 'AUTH_REJECTED' });
    await sut.reject('refreshToken', transientError());
    expect(sut.state()).toBe('syncingFromCli');
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(T0) });
    expect(sut.inputs.retryPendingCalls[0]?.pendingCalls).toBe(2);
    await sut.resolve('retryPendingCalls', { rejected: 2 });
    expect(sut.state()).toBe('cooldown');
    expect(sut.inputs.syncFromCli).toHaveLength(1);
    expect(sut.context()).toMatchObject({
      lastError: 'rejectedAgain',
      pendingCalls: 0,
      attempts: 0,
      cooldownUntil: T0 + 1_000,
      credential: { ...cliCredential(T0), rejected: true },
    });
    expect(sut.emittedOf('cooldownStarted')[0]?.reason).toBe('rejectedAgain');
  });

  it('retries are bounded by maxRetries across re-syncs', async () => {
    const sut = startRecovery({ input: { ...freshLogin, policy: { ...TEST_POLICY, maxRetries: 1 } } });
    await sut.send({ type: 'AUTH_REJECTED' });
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(T0) });
    await sut.resolve('retryPendingCalls', { rejected: 1 });
    expect(sut.state()).toBe('syncingFromCli');
    await sut.send({ type: 'AUTH_REJECTED' });
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(T0 + 1, 'fp-cli-2') });
    expect(sut.state()).toBe('retrying');
    await sut.resolve('retryPendingCalls', { rejected: 1 });
    expect(sut.state()).toBe('cooldown');
  });

  it('a retry actor that resolves with nothing counts as no call rejected', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'AUTH_REJECTED' });
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(T0) });
    await sut.resolve('retryPendingCalls', null);
    expect(sut.actor.getSnapshot().status).toBe('active');
    expect(sut.state()).toBe('valid');
  });

  it('a failing retry actor does not wedge the machine: the calls were answered', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'AUTH_REJECTED' });
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(T0) });
    await sut.reject('retryPendingCalls', new Error('bookkeeping failed'));
    expect(sut.state()).toBe('valid');
    expect(sut.emittedOf('recovered')).toHaveLength(1);
  });
});

describe('emitted events and snapshots', () => {
  const SECRETS = [RAW_ACCESS_TOKEN, RAW_REFRESH_TOKEN, 'sk-ant-'];

  it('never contain a token across a full recovery story', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'AUTH_REJECTED', status: 401, message: `revoked ${RAW_ACCESS_TOKEN}` });
    await sut.reject('refreshToken', transientError());
    await sut.advance(100);
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    // The cooldown answered the earlier call; one more arrives while the CLI is read.
    expect(sut.context().pendingCalls).toBe(0);
    await sut.send({ type: 'CREDENTIALS_CHANGED' });
    await sut.send({ type: 'AUTH_REJECTED', status: 401, message: `revoked ${RAW_ACCESS_TOKEN}` });
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(sut.clock.now()) });
    await sut.resolve('retryPendingCalls', { rejected: 0 });
    expect(sut.state()).toBe('valid');
    expect(new Set(sut.emitted.map((event) => event.type))).toEqual(
      new Set(['cooldownStarted', 'cooldownEnded', 'synced', 'recovered']),
    );
    const text = JSON.stringify([sut.emitted, sut.actor.getPersistedSnapshot()]);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('pick their fields, so a leaky actor output does not reach an emitted event', async () => {
    const sut = startRecovery({ input: expiredLogin });
    const leaky = {
      ...refreshedCredential(T0),
      accessToken: RAW_ACCESS_TOKEN,
      refreshToken: RAW_REFRESH_TOKEN,
    };
    await sut.resolve('refreshToken', leaky);
    const text = JSON.stringify(sut.emitted);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('durationMs is never negative when the wall clock steps back', async () => {
    let wall = T0;
    const sut = startRecovery({ input: expiredLogin, now: () => wall });
    wall = T0 - 5 * MINUTE;
    await sut.resolve('refreshToken', refreshedCredential(T0));
    expect(sut.emittedOf('recovered')[0]?.durationMs).toBe(0);
  });

  it('every payload has exactly the documented fields', async () => {
    const sut = startRecovery({ input: expiredLogin });
    await failIntoCooldown(sut);
    await sut.send({ type: 'SYNC_REQUESTED' });
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    await sut.advance(1_000);
    await sut.resolve('refreshToken', refreshedCredential(sut.clock.now()));
    await sut.send({ type: 'SYNC_REQUESTED' });
    await sut.resolve('syncFromCli', { status: 'adopted', credential: cliCredential(sut.clock.now()) });
    const fields: Record<RecoveryEmitted['type'], string[]> = {
      refreshed: ['expiresAt', 'fingerprint', 'profileId', 'source', 'type'],
      synced: ['expiresAt', 'fingerprint', 'profileId', 'type'],
      recovered: ['durationMs', 'expiresAt', 'fingerprint', 'profileId', 'type'],
      cooldownStarted: ['consecutive', 'profileId', 'reason', 'type', 'until'],
      cooldownEnded: ['profileId', 'reason', 'type'],
    };
    expect(new Set(sut.emitted.map((event) => event.type))).toEqual(new Set(Object.keys(fields)));
    for (const event of sut.emitted) expect(Object.keys(event).sort()).toEqual(fields[event.type]);
    expect(sut.emittedOf('cooldownEnded').map((event) => event.reason)).toEqual(['syncRequested', 'timer']);
  });
});

describe('timers longer than setTimeout can hold', () => {
  // Node's setTimeout treats any delay above 2³¹ − 1 ms (~24.8 days) as 1 ms. A credential that
  // expires further out than that (a long-lived token) would make `refreshAt` fire at once and the
  // real clock refresh in a tight loop; the machine caps its delays (remainingMs).
  it('keeps every delay within 2³¹ − 1 ms for a token valid for a year', () => {
    const delays: number[] = [];
    const clock = new SimulatedClock();
    const setTimeout = clock.setTimeout.bind(clock);
    clock.setTimeout = (fn, timeout) => {
      delays.push(timeout);
      return setTimeout(fn, timeout);
    };
    const actor = createActor(createRecoveryMachine({ now: () => clock.now() }), {
      clock,
      input: { profileId: PROFILE, credential: storeCredential(clock.now() + 365 * 24 * HOUR) },
    });
    actor.start();
    expect(actor.getSnapshot().value).toBe('valid');
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});

describe('a failed recovery while our token still works', () => {
  it('goes back to valid (no cooldown), and retries after a cooldown-long wait that grows', async () => {
    // Inside the refresh window (4 min left, margin 1 min): the proactive refresh starts at once.
    const sut = startRecovery({ input: { credential: storeCredential(T0 + 4 * MINUTE) } });
    await sut.advance(0);
    expect(sut.state()).toBe('refreshing');
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    expect(sut.state()).toBe('valid');
    expect(sut.emittedOf('cooldownStarted')).toHaveLength(0);
    expect(sut.context()).toMatchObject({
      lastError: 'permanent',
      consecutiveCooldowns: 1,
      refreshNotBefore: sut.clock.now() + 1_000,
    });
    await expectFiresAfter(sut, 1_000, 'valid', 'refreshing');

    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    expect(sut.state()).toBe('valid');
    await expectFiresAfter(sut, 2_000, 'valid', 'refreshing');

    await sut.resolve('refreshToken', refreshedCredential(sut.clock.now()));
    expect(sut.state()).toBe('valid');
    expect(sut.context()).toMatchObject({ refreshNotBefore: null, consecutiveCooldowns: 0, lastError: null });
  });

  it('never waits past the last usable moment of the token', async () => {
    const expiresAt = T0 + 2 * MINUTE; // inside the refresh window already
    const sut = startRecovery({ input: { credential: storeCredential(expiresAt) } });
    await sut.advance(0);
    expect(sut.state()).toBe('refreshing');
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    expect(sut.state()).toBe('valid');
    expect(sut.context().nextRefreshAt).toBe(T0 + 1_000);
    await sut.advance(1_000);
    expect(sut.state()).toBe('refreshing');
    // One more try at the deferral; the token is still usable (margin 1 min), so back to valid,
    // and the next attempt is capped at expiresAt − margin.
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    expect(sut.context().nextRefreshAt).toBe(Math.min(sut.clock.now() + 2_000, expiresAt - MINUTE));
  });

  it('goes to cooldown once the token is rejected', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'AUTH_REJECTED', status: 401 });
    await failIntoCooldown(sut);
  });

  it('keeps a pending deferral when a CLI change finds nothing new', async () => {
    const sut = startRecovery({ input: freshLogin });
    await sut.send({ type: 'TOKEN_EXPIRED' });
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    const deferredUntil = sut.context().refreshNotBefore;
    await sut.advance(400);
    await sut.send({ type: 'CREDENTIALS_CHANGED' });
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    expect(sut.state()).toBe('valid');
    expect(sut.context().refreshNotBefore).toBe(deferredUntil);
    expect(sut.context().consecutiveCooldowns).toBe(1);
  });

  it('caps a deferral at the last usable moment when the wait would outlast the token', async () => {
    const expiresAt = T0 + 2 * MINUTE;
    const policy = { ...TEST_POLICY, cooldownBaseMs: 2 * MINUTE, cooldownMaxMs: 4 * MINUTE };
    const sut = startRecovery({ input: { credential: storeCredential(expiresAt), policy } });
    await sut.advance(0);
    await sut.reject('refreshToken', permanentError());
    await sut.resolve('syncFromCli', { status: 'notFresher', credential: null });
    expect(sut.state()).toBe('valid');
    expect(sut.context().refreshNotBefore).toBe(T0 + 2 * MINUTE);
    expect(sut.context().nextRefreshAt).toBe(expiresAt - MINUTE);
  });

  it('defers after an unreadable CLI too, but not after a sync from valid that found nothing', async () => {
    const sut = startRecovery({ input: { credential: storeCredential(T0 + 4 * MINUTE) } });
    await sut.advance(0);
    await sut.reject('refreshToken', permanentError());
    await sut.reject(
      'syncFromCli',
      Object.assign(new Error('malformed JSON'), { name: 'CredentialParseError' }),
    );
    expect(sut.state()).toBe('valid');
    expect(sut.context().refreshNotBefore).toBe(T0 + 1_000);

    const calm = startRecovery({ input: freshLogin });
    await calm.send({ type: 'CREDENTIALS_CHANGED' });
    await calm.resolve('syncFromCli', { status: 'notFresher', credential: null });
    expect(calm.state()).toBe('valid');
    expect(calm.context()).toMatchObject({ refreshNotBefore: null, consecutiveCooldowns: 0 });
  });
});
