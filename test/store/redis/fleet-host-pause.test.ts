/**
 * Fault: the lease holder stalls (SIGSTOP: a GC pause, a frozen VM, a loaded host) right after
 * its token request left, for longer than its lease (2 s here, as in the run that once made 6
 * token requests for 5 rotations) but shorter than the token request timeout. Its lease runs
 * out, another host takes the spend over: the second request of that rotation, refused. When
 * the holder resumes (SIGCONT) it reads the answer and commits; the commit lands without the
 * lease because the pair replaces the refresh token just spent. What callers saw, token
 * requests, invalid_grant, and that every host ends on the live pair.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../support/fake-anthropic.js';
import { expectOneRefusedTakeover, outcomes, refreshTokenOf, startFleet } from '../../support/fleet.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';
import { PROFILE_ID } from '../../support/runtime-fixture.js';
import type { Agent } from '../../support/runtime-workers/agent-process.js';

let server: RedisServer;
let fake: FakeAnthropic;

beforeAll(async () => {
  [server, fake] = await Promise.all([startRedisServer({ appendonly: false }), startFakeAnthropic()]);
});
afterAll(async () => {
  await fake?.close();
  await server?.stop();
});

describe('the lease holder stalled past its lease with its token request in flight', () => {
  it('one takeover request (refused); the holder pair lands when it resumes; then one request per rotation', async () => {
    const fleet = await startFleet({
      url: server.url,
      fake,
      hosts: 3,
      leaseTtlMs: 2_000,
      env: { AGENT_COOLDOWN_BASE_MS: '3000' },
    });
    const [holder, ...others] = fleet.agents as [Agent, Agent, Agent];
    const pid = holder.child.pid as number;
    try {
      const seeded = await fleet.store.readCredential(PROFILE_ID);
      fake.resetCounters();
      const stalled = new Promise<void>((resolve) =>
        fake.onNextTokenRequest(() => {
          process.kill(pid, 'SIGSTOP'); // the answer goes out and waits in the holder's socket
          resolve();
        }),
      );
      const holderRound = fleet.round(1, [holder]);
      await stalled;
      const othersRound = await fleet.round(1, others); // they wait out the 2 s lease first
      const requestsDuring = fake.tokenRequests;
      const invalidDuring = fake.invalidGrants;
      process.kill(pid, 'SIGCONT');
      const [holderAnswer] = await holderRound;
      await fleet.awaitValid(fleet.agents);
      const requestsAfterResume = fake.tokenRequests;
      const after = await fleet.round(2);
      const stats = await fleet.stopAll();
      const sent = fake.tokenRequestLog.map(refreshTokenOf);
      const summary = {
        holder: holderAnswer?.ok ? 'ok' : holderAnswer?.error,
        others: outcomes(othersRound),
        requestsDuring,
        invalidDuring,
        takeoverSentTheSpentToken: sent[0] === seeded?.refreshToken && sent[1] === seeded?.refreshToken,
        requestsAfterResume,
        after: outcomes(after),
        tokenRequests: fake.tokenRequests,
        invalidGrants: fake.invalidGrants,
      };
      console.log(`lease holder stalled (SIGSTOP) past a 2 s lease, 3 hosts: ${JSON.stringify(summary)}`);

      expectOneRefusedTakeover(fake, {
        holderAnswer,
        othersRound,
        requestsDuring,
        invalidDuring,
        takeoverSentTheSpentToken: summary.takeoverSentTheSpentToken,
        requestsAfter: requestsAfterResume,
        after,
        stats,
      });
      expect(await fleet.storedTokenState()).toBe('valid');
    } finally {
      if (holder.child.exitCode === null) process.kill(pid, 'SIGCONT');
      await fleet.dispose();
    }
  }, 120_000);
});
