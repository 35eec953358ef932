/**
 * The public API's edges: listeners added before `start()`, calls made before it, and the
 * grouped `transport` / `time` options doing what the flat ones did.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../machines/index.js';
import { NotStartedError, StoppedError } from '../../src/errors.js';
import type { AuthRecoveryEvent } from '../../src/runtime/index.js';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createRuntimeFixture, PROFILE_ID } from '../support/runtime-fixture.js';

const fx = fixturePerTest(createRuntimeFixture);

describe('before start()', () => {
  it('on() works like subscribe(): handlers added before start() see the events after it', async () => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(login);
    const auth = fx.create({ cliSource: false });
    const refreshed: AuthRecoveryEvent[] = [];
    const all: string[] = [];
    auth.on('refreshed', (event) => refreshed.push(event));
    const offAll = auth.on('*', (event) => all.push(event.type));
    await auth.start();

    await auth.refresh();

    expect(refreshed).toHaveLength(1);
    expect(refreshed[0]).toMatchObject({ type: 'refreshed', profileId: PROFILE_ID, source: 'refresh' });
    expect(all).toEqual(['refreshed', 'recovered']);
    offAll();
    const again = auth.refresh();
    fx.clock.advance(DEFAULT_POLICY.minRefreshIntervalMs); // a second refresh waits out the minimum interval
    await again;
    expect(refreshed).toHaveLength(2);
    expect(all).toEqual(['refreshed', 'recovered']);
  });

  it('a call that needs the machine rejects with NotStartedError (NOT_STARTED), not STOPPED', async () => {
    const auth = fx.create({ cliSource: false });
    await expect(auth.getAccessToken()).rejects.toBeInstanceOf(NotStartedError);
    await expect(auth.refresh()).rejects.toHaveProperty('code', 'NOT_STARTED');
    await auth.stop();
    await expect(auth.getAccessToken()).rejects.toBeInstanceOf(StoppedError);
  });
});

describe('grouped options', () => {
  it('transport and time replace the flat tokenUrl/now/clock/random', async () => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(login);
    const auth = fx.create({
      cliSource: false,
      // The fixture passes flat values; the groups must win over them.
      tokenUrl: 'http://127.0.0.1:9/unused',
      now: () => 0,
      transport: { tokenUrl: fx.fake.tokenUrl },
      time: { now: fx.clock.now, clock: fx.clock.timers, random: () => 0.5 },
    });
    await auth.start();
    expect(auth.getSnapshot().state).toBe('valid');

    const token = await auth.refresh();

    expect(fx.fake.tokenRequests).toBe(1);
    expect(fx.fake.tokenState(token)).toBe('valid');
  });
});
