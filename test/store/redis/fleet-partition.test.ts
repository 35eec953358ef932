/**
 * Fault: a network partition between hosts and Redis, through one loopback TCP proxy per host
 * (test/support/tcp-proxy.ts). A blackhole cut forwards nothing and closes nothing; at heal
 * the bytes that waited are delivered, so a command a cut-off host issued reaches Redis late.
 * The token endpoint stays reachable from every host (the worst case: a cut-off host could
 * spend the shared refresh token on its own, and must not).
 *
 * 1. Two hosts cut off while the other two stay with Redis; a forced rotation during the
 *    partition, the heal, then a rotation after it.
 * 2. The lease holder cut off right after its token request left (the answer reaches it, its
 *    commit does not): its lease runs out, another host takes the interrupted spend over.
 *
 * Per case: what callers saw, token requests, invalid_grant, and that every host ends on the
 * live pair. Lease TTL 3 s, store operations bounded at 3 s, first cooldown 3 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../support/fake-anthropic.js';
import {
  expectOneRefusedTakeover,
  type Fleet,
  outcomes,
  refreshTokenOf,
  startFleet,
} from '../../support/fleet.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';
import { PROFILE_ID } from '../../support/runtime-fixture.js';
import type { Agent } from '../../support/runtime-workers/agent-process.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';

let server: RedisServer;
let fake: FakeAnthropic;

beforeAll(async () => {
  [server, fake] = await Promise.all([startRedisServer({ appendonly: false }), startFakeAnthropic()]);
});
afterAll(async () => {
  await fake?.close();
  await server?.stop();
});

/** A fleet whose every host reaches Redis through its own proxy. */
async function partitionableFleet(
  hosts: number,
  cooldownBaseMs = 3_000,
): Promise<{ fleet: Fleet; hosts: Agent[]; proxies: TcpProxy[] }> {
  server.cli('FLUSHALL');
  const proxies = await Promise.all(Array.from({ length: hosts }, () => startTcpProxy(server.port)));
  const fleet = await startFleet({
    url: server.url,
    fake,
    hosts: 0,
    leaseTtlMs: 3_000,
    env: { AGENT_OPERATION_TIMEOUT_MS: '3000', AGENT_COOLDOWN_BASE_MS: String(cooldownBaseMs) },
  });
  const agents = proxies.map((proxy, index) => fleet.startAgent(`host-${index}`, {}, proxy.url));
  await Promise.all(agents.map((agent) => agent.next('ready')));
  return { fleet, hosts: agents, proxies };
}

describe('a network partition between hosts and Redis (TCP proxy per host)', () => {
  it('the cut-off hosts spend nothing; the connected side rotates once; after the heal all adopt', async () => {
    // A 10-minute cooldown: the cut-off hosts must come back by the store's news, not its end.
    const { fleet, hosts, proxies } = await partitionableFleet(4, 600_000);
    try {
      const cutOff = hosts.slice(2); // hosts 0 and 1 stay connected
      fake.resetCounters();
      for (const proxy of proxies.slice(2)) proxy.cut('blackhole');
      const startedAt = performance.now();
      const during = await fleet.round(1);
      const msDuring = Math.round(performance.now() - startedAt);
      const requestsDuring = fake.tokenRequests;
      for (const proxy of proxies) proxy.heal();
      // After the heal the cut-off hosts read the pair the connected side committed, which ends
      // their cooldowns at once; they adopt it with no token request of their own.
      await fleet.awaitValid(cutOff);
      const requestsAfterHeal = fake.tokenRequests;
      const after = await fleet.round(2);
      const stats = await fleet.stopAll();
      const summary = {
        during: outcomes(during),
        msDuring,
        requestsDuring,
        requestsAfterHeal,
        after: outcomes(after),
        tokenRequests: fake.tokenRequests,
        invalidGrants: fake.invalidGrants,
        perHost: stats.map((stat) => stat.tokenRequests),
      };
      console.log(`partition, 2 hosts cut off of 4: ${JSON.stringify(summary)}`);

      expect(during.slice(0, 2).every((answer) => answer.ok)).toBe(true);
      for (const answer of during.slice(2)) expect(answer.error).toMatch(/^[A-Za-z]+Error: /);
      expect(requestsDuring).toBe(1);
      expect(requestsAfterHeal).toBe(1);
      expect(after.every((answer) => answer.ok)).toBe(true);
      expect(fake.tokenRequests).toBe(2);
      expect(fake.invalidGrants).toBe(0);
      // The cut-off hosts sent nothing until the heal (requestsDuring, requestsAfterHeal); any
      // host may be the one refresher of the rotation after it.
      expect(stats.reduce((sum, stat) => sum + stat.tokenRequests, 0)).toBe(2);
      expect(stats.every((stat) => stat.state === 'valid')).toBe(true);
      expect(await fleet.storedTokenState()).toBe('valid');
    } finally {
      await fleet.dispose();
      await Promise.all(proxies.map((proxy) => proxy.close()));
    }
  }, 120_000);

  it('the lease holder cut off mid-refresh: one takeover request (refused), its pair lands at the heal', async () => {
    const { fleet, hosts, proxies } = await partitionableFleet(3);
    try {
      const [holder, ...others] = hosts as [Agent, Agent, Agent];
      const seeded = await fleet.store.readCredential(PROFILE_ID);
      fake.resetCounters();
      // The holder's token request is at the fake (its spend marker is in Redis): cut it off
      // from Redis before the answer goes out. Its commit and lease renewals now wait.
      const holderCut = new Promise<void>((resolve) =>
        fake.onNextTokenRequest(() => {
          proxies[0]?.cut('blackhole');
          resolve();
        }),
      );
      const holderRound = fleet.round(1, [holder]);
      await holderCut;
      const [holderAnswer] = await holderRound; // served from memory: the save is retried
      // The others need a refresh too; the holder's lease runs out (3 s) without renewals.
      const othersRound = await fleet.round(1, others);
      const requestsDuring = fake.tokenRequests;
      const invalidDuring = fake.invalidGrants;
      proxies[0]?.heal();
      await fleet.awaitValid(hosts);
      const requestsAfterHeal = fake.tokenRequests;
      const after = await fleet.round(2);
      const stats = await fleet.stopAll();
      const sent = fake.tokenRequestLog.map(refreshTokenOf);
      const summary = {
        holder: holderAnswer?.ok ? 'ok' : holderAnswer?.error,
        others: outcomes(othersRound),
        requestsDuring,
        invalidDuring,
        takeoverSentTheSpentToken: sent[1] === seeded?.refreshToken && sent[0] === seeded?.refreshToken,
        requestsAfterHeal,
        after: outcomes(after),
        tokenRequests: fake.tokenRequests,
        invalidGrants: fake.invalidGrants,
      };
      console.log(`partition, lease holder cut off mid-refresh (3 hosts): ${JSON.stringify(summary)}`);

      // The one extra request of that rotation: the takeover, refused, and the only one; at the
      // heal the holder's pair lands and every host adopts it with no request.
      expectOneRefusedTakeover(fake, {
        holderAnswer,
        othersRound,
        requestsDuring,
        invalidDuring,
        takeoverSentTheSpentToken: summary.takeoverSentTheSpentToken,
        requestsAfter: requestsAfterHeal,
        after,
        stats,
      });
      expect(await fleet.storedTokenState()).toBe('valid');
    } finally {
      await fleet.dispose();
      await Promise.all(proxies.map((proxy) => proxy.close()));
    }
  }, 120_000);
});
