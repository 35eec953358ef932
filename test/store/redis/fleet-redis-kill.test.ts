/**
 * Fault: redis-server SIGKILLed while a host is inside the refresh (its spend marker is set and
 * the fake holds the token answer), then restarted on the same port and dir (appendonly with
 * fsync always, so the committed data survives; or without persistence, so it comes back
 * empty and the hosts' local mirrors heal it). Three host processes. What callers saw (the
 * new token or a typed error), token requests (at most 2 for that rotation), invalid_grant
 * (none), and that the login survives: the next rotation works for every host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../support/fake-anthropic.js';
import { startFleet } from '../../support/fleet.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';
import { PROFILE_ID } from '../../support/runtime-fixture.js';

let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake?.close();
});

describe.each([
  { appendonly: true, what: 'AOF on: the data survives the restart' },
  { appendonly: false, what: 'no persistence: the restart comes back empty, the hosts heal it' },
])('Redis SIGKILLed mid-refresh and restarted ($what)', ({ appendonly }) => {
  it('callers get the new token or a typed error; ≤ 2 token requests; no invalid_grant; the login survives', async () => {
    const server: RedisServer = await startRedisServer({ appendonly });
    const fleet = await startFleet({ url: server.url, fake, hosts: 3 });
    try {
      fake.resetCounters();
      fake.setLatency(4_000); // the token answer (and API calls) held: the kill lands inside the refresh
      const pending = fleet.round(1);
      // A host is inside the refresh once its spend marker is in Redis (set right before sending).
      const deadline = Date.now() + 15_000;
      while ((await fleet.store.fleetStatus(PROFILE_ID)).spendInFlight === null) {
        if (Date.now() > deadline) throw new Error('no host started spending within 15 s');
      }
      const answeredBeforeKill = fake.tokenRequests; // logged only after the held answer
      await server.kill('SIGKILL');
      await server.restart();
      const first = await pending;
      const requestsDuringFault = fake.tokenRequests;
      fake.setLatency(0);
      const second = await fleet.round(2);
      const stats = await fleet.stopAll();
      const summary = {
        round1: first.map((answer) => (answer.ok ? 'ok' : answer.error)),
        appendonly,
        answeredBeforeKill,
        tokenRequestsRound1: requestsDuringFault,
        round2: second.map((answer) => (answer.ok ? 'ok' : answer.error)),
        tokenRequestsTotal: fake.tokenRequests,
        invalidGrants: fake.invalidGrants,
      };
      console.log(`redis SIGKILL mid-refresh, 3 hosts: ${JSON.stringify(summary)}`);
      for (const answer of first) {
        if (!answer.ok) expect(answer.error).toMatch(/^[A-Za-z]+Error: /);
      }
      expect(answeredBeforeKill).toBe(0);
      expect(requestsDuringFault).toBeLessThanOrEqual(2);
      expect(fake.invalidGrants).toBe(0);
      if (appendonly) {
        expect(second.every((answer) => answer.ok)).toBe(true);
        expect(stats.every((stat) => stat.state === 'valid')).toBe(true);
      } else {
        // Measured: a host whose refresh hit the outage enters its own cooldown (a typed
        // CooldownError to its callers until it ends); the others carry on with the healed login.
        expect(second.some((answer) => answer.ok)).toBe(true);
        for (const answer of second) if (!answer.ok) expect(answer.error).toMatch(/^CooldownError: /);
      }
      const stored = await fleet.store.readCredential(PROFILE_ID);
      expect(fake.tokenState(stored?.accessToken ?? '')).toBe('valid');
    } finally {
      fake.setLatency(0);
      await fleet.dispose();
      await server.stop();
    }
  }, 90_000);
});
