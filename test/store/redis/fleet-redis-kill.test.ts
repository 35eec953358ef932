/**
 * Fault: redis-server SIGKILLed while a host is inside the refresh (its spend marker is set and
 * the fake holds the token answer), then restarted on the same port and dir (appendonly with
 * fsync always, so the committed data survives; or without persistence, so it comes back
 * empty and the hosts' local mirrors heal it). Three host processes. What callers saw (the
 * new token or a typed error), token requests (at most 2 for that rotation), invalid_grant
 * (none with AOF; at most one without persistence, which loses the spend marker and the dead
 * set), and that the login survives: the stored pair is live after the next rotation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../support/fake-anthropic.js';
import { outcomes, startFleet } from '../../support/fleet.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';

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
  it('callers get the new token or a typed error; ≤ 2 token requests; ≤ 1 invalid_grant; the login survives', async () => {
    const server: RedisServer = await startRedisServer({ appendonly });
    const fleet = await startFleet({ url: server.url, fake, hosts: 3 });
    try {
      fake.resetCounters();
      // The kill lands inside the refresh: when the first token request arrives (its spend
      // marker is in Redis), redis-server is SIGKILLed and restarted before the fake answers.
      const killed = new Promise<void>((resolve, reject) =>
        fake.onNextTokenRequest(async () => {
          await server.kill('SIGKILL');
          await server.restart().then(resolve, reject);
        }),
      );
      const pending = fleet.round(1);
      await killed;
      const first = await pending;
      const requestsDuringFault = fake.tokenRequests;
      const sent = fake.tokenRequestLog.map(
        (request) => (request.body as { refresh_token: string }).refresh_token,
      );
      const second = await fleet.round(2);
      const stats = await fleet.stopAll();
      const summary = {
        round1: outcomes(first),
        appendonly,
        tokenRequestsRound1: requestsDuringFault,
        // Did a later request of the faulted rotation send the token the first one spent?
        respentFirstToken: sent.slice(1).filter((token) => token === sent[0]).length,
        round2: outcomes(second),
        tokenRequestsTotal: fake.tokenRequests,
        invalidGrants: fake.invalidGrants,
      };
      console.log(`redis SIGKILL mid-refresh, 3 hosts: ${JSON.stringify(summary)}`);
      for (const answer of [...first, ...second]) {
        if (!answer.ok) expect(answer.error).toMatch(/^[A-Za-z]+Error: /);
      }
      expect(requestsDuringFault).toBeLessThanOrEqual(2);
      if (appendonly) {
        expect(fake.invalidGrants).toBe(0);
        expect(second.every((answer) => answer.ok)).toBe(true);
        expect(stats.every((stat) => stat.state === 'valid')).toBe(true);
      } else {
        // The restart lost the spend marker and the dead set with the data: a host whose
        // mirror still held the pre-rotation pair may put it back and spend its token again,
        // one invalid_grant, and that host cools down. Never more than that one.
        expect(fake.invalidGrants).toBe(summary.respentFirstToken);
        expect(fake.invalidGrants).toBeLessThanOrEqual(1);
        // Measured: a host whose refresh hit the outage enters its own cooldown (a typed
        // CooldownError to its callers until it ends); the others carry on with the healed login.
        expect(second.some((answer) => answer.ok)).toBe(true);
        for (const answer of second) if (!answer.ok) expect(answer.error).toMatch(/^CooldownError: /);
      }
      expect(await fleet.storedTokenState()).toBe('valid');
    } finally {
      await fleet.dispose();
      await server.stop();
    }
  }, 90_000);
});
