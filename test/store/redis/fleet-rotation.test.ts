/**
 * A fleet on Redis: 3 and 8 host processes (each its own node process with its own local
 * mirror) share one login through a real redis-server, against the loopback fake of Anthropic.
 * Fifty forced rotations each: every round the current access token is revoked and every host
 * makes one `withAuth` call. Exactly one host per round may spend the refresh token; the others
 * adopt its pair from Redis under the lease. So: exactly 50 token requests, no invalid_grant,
 * no caller error, one new token per round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../support/fake-anthropic.js';
import { startFleet } from '../../support/fleet.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';
import { PROFILE_ID } from '../../support/runtime-fixture.js';

const ROUNDS = Number(process.env.FLEET_ROUNDS ?? 50);
let server: RedisServer;
let fake: FakeAnthropic;

beforeAll(async () => {
  [server, fake] = await Promise.all([
    startRedisServer({ appendonly: process.env.FLEET_AOF !== '0' }),
    startFakeAnthropic(),
  ]);
});
afterAll(async () => {
  await fake?.close();
  await server?.stop();
});

describe.each([3, 8])('%i hosts on one Redis store, fifty forced rotations', (hosts) => {
  it('makes exactly one token request per rotation; no invalid_grant, no caller error', async () => {
    server.cli('FLUSHALL');
    const started = performance.now();
    const fleet = await startFleet({ url: server.url, fake, hosts });
    try {
      const readyAt = performance.now();
      fake.resetCounters();
      const failures: string[] = [];
      const newTokensPerRound: number[] = [];
      const requestsPerRound: number[] = [];
      for (let round = 1; round <= ROUNDS; round += 1) {
        const before = fake.tokenRequests;
        const done = await fleet.round(round);
        requestsPerRound.push(fake.tokenRequests - before);
        for (const answer of done)
          if (!answer.ok) failures.push(`round ${round} ${answer.agent}: ${answer.error}`);
        newTokensPerRound.push(new Set(done.map((answer) => answer.tokens[1])).size);
      }
      const roundsMs = performance.now() - readyAt;
      const stats = await fleet.stopAll();
      const summary = {
        tokenRequests: fake.tokenRequests,
        invalidGrants: fake.invalidGrants,
        perHost: stats.map((stat) => stat.tokenRequests),
        roundsWithExtraRequests: requestsPerRound.flatMap((count, index) =>
          count === 1 ? [] : [`${index + 1}:${count}`],
        ),
        startupMs: Math.round(readyAt - started),
        roundsMs: Math.round(roundsMs),
        msPerRotation: Math.round(roundsMs / ROUNDS),
      };
      console.log(`fleet ${hosts} hosts × ${ROUNDS} rotations on Redis: ${JSON.stringify(summary)}`);
      expect(failures).toEqual([]);
      expect(fake.tokenRequests).toBe(ROUNDS);
      expect(fake.invalidGrants).toBe(0);
      expect(newTokensPerRound).toEqual(Array(ROUNDS).fill(1));
      expect(stats.every((stat) => stat.state === 'valid')).toBe(true);
      expect(await fleet.storedTokenState()).toBe('valid');
      expect((await fleet.store.fleetStatus(PROFILE_ID)).version).toBe(ROUNDS + 1);
    } finally {
      await fleet.dispose();
    }
  }, 120_000);
});
