/**
 * Fault: a host SIGKILLed between the token answer and the commit (`AGENT_CRASH_AFTER_TOKEN`).
 * The new pair dies with it (the crash comes before the commit and before its mirror write), so
 * no live pair exists anywhere. What must hold: the two survivors take over the spend at most
 * once (the spend marker), `invalid_grant` stays bounded (the dead set and the shared cooldown
 * stop a storm), and every caller gets a typed error rather than a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../support/fake-anthropic.js';
import { outcomes, startFleet } from '../../support/fleet.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';
import { PROFILE_ID } from '../../support/runtime-fixture.js';

let server: RedisServer;
let fake: FakeAnthropic;

beforeAll(async () => {
  [server, fake] = await Promise.all([startRedisServer({ appendonly: false }), startFakeAnthropic()]);
});
afterAll(async () => {
  await fake?.close();
  await server?.stop();
});

describe('a host killed between the token answer and the commit', () => {
  it('survivors spend the token at most once; invalid_grant bounded; callers get typed errors', async () => {
    const fleet = await startFleet({ url: server.url, fake, hosts: 2, leaseTtlMs: 2_000 });
    try {
      const survivors = [...fleet.agents];
      const crasher = fleet.startAgent('crasher', { AGENT_CRASH_AFTER_TOKEN: '1' });
      await crasher.next('ready');
      fake.resetCounters();
      const stored = await fleet.store.readCredential(PROFILE_ID);
      fake.revoke(stored?.accessToken ?? '');
      crasher.send({ type: 'call', round: 1 });
      await crasher.exited;
      expect(fake.tokenRequests).toBe(1);
      const afterCrash = fake.tokenRequests;
      const second = await fleet.round(2, survivors);
      const third = await fleet.round(3, survivors);
      const summary = {
        round2: outcomes(second),
        round3: outcomes(third),
        survivorTokenRequests: fake.tokenRequests - afterCrash,
        invalidGrants: fake.invalidGrants,
        deadTokens: (await fleet.store.fleetStatus(PROFILE_ID)).deadTokens,
      };
      console.log(`host killed after the token answer, 2 survivors: ${JSON.stringify(summary)}`);
      // One survivor takes the interrupted spend over once (the token is dead: invalid_grant,
      // and it joins the dead set); the other finds it dead in Redis and sends nothing.
      expect(summary.survivorTokenRequests).toBe(1);
      expect(fake.invalidGrants).toBe(1);
      expect(summary.deadTokens).toBe(1);
      const takeover = fake.tokenRequestLog[1]?.body as { refresh_token?: string } | undefined;
      expect(takeover?.refresh_token).toBe(stored?.refreshToken);
      for (const answer of [...second, ...third]) {
        if (!answer.ok) expect(answer.error).toMatch(/^[A-Za-z]+Error: /);
      }
      // The rotated pair died with the host: the stored refresh token was spent by it.
      const now = await fleet.store.readCredential(PROFILE_ID);
      expect(fake.tokenState(now?.refreshToken ?? '')).not.toBe('valid');
    } finally {
      await fleet.dispose();
    }
  }, 90_000);
});
