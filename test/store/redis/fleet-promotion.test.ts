/**
 * Fault: a replica promoted after a partition loses a commit the primary acknowledged.
 *
 * A real second redis-server replicates the primary (`replicaof`) through a TCP proxy the test
 * cuts, so the replica falls behind; a forced rotation commits on the primary (acknowledged to
 * the host); then the primary dies (SIGKILL) and the replica is promoted (`REPLICAOF NO ONE`).
 * How hosts find the new primary: every host (and the test's own reader) reaches Redis through
 * a TCP proxy, and the test, standing in for Sentinel plus a role-checking proxy (HAProxy
 * `tcp-check` on `role:master`, `on-marked-down shutdown-sessions`), points the proxies at the
 * promoted server and drops the old connections. The hosts keep their one URL.
 *
 * The promoted store holds the pair before the lost commit, whose refresh token is already
 * spent. What must hold: the hosts' local mirrors heal it (a monotone merge: the mirrored pair
 * is fresher and not in the dead set), so the next rotation spends the live token: exactly one
 * request, no invalid_grant, every caller served. With `WAIT 1` (`waitForReplicas`) the commit
 * behind a cut replication link is still acknowledged after the timeout, with a
 * `replicasBehind` warning naming 0 acknowledgements; on a healthy link WAIT returns once the
 * replica has the commit, so a promotion then loses nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../support/fake-anthropic.js';
import { outcomes, startFleet } from '../../support/fleet.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';
import { PROFILE_ID } from '../../support/runtime-fixture.js';
import type { AgentMessage } from '../../support/runtime-workers/rotation-agent.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';

type Warning = Extract<AgentMessage, { type: 'warning' }>;
const CRED = `oauthrec:{${PROFILE_ID}}:cred`;

let fake: FakeAnthropic;
/** What each test started, stopped in reverse order after it. */
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(async () => {
  await fake?.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Polls `condition` (a cheap redis-cli read) until it holds; generous bound, fails loudly. */
async function eventually(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const version = (server: RedisServer) => Number(server.cli('HGET', CRED, 'version').trim() || 0);

describe.each([
  { wait: false, what: 'no WAIT' },
  { wait: true, what: 'WAIT 1 replica, 500 ms' },
])('a replica promoted after a partition ($what)', ({ wait }) => {
  it('the promoted store lost a commit; the mirrors heal it; one request per rotation, no invalid_grant', async () => {
    const { summary, healed, next, stats, stored } = await promote({ wait, mirrors: true });
    expect(outcomes(healed)).toEqual(['ok', 'ok', 'ok']);
    expect(outcomes(next)).toEqual(['ok', 'ok', 'ok']);
    expect(summary.requestsHealed).toBe(1);
    expect(fake.tokenRequests).toBe(4);
    expect(fake.invalidGrants).toBe(0);
    expect(summary.warnings).toContain('healedFromMirror');
    if (wait) {
      // WAIT held the healthy rotation until the replica had it; behind the cut it gave up
      // after 500 ms with 0 acknowledgements, and the commit stood (WAIT does not undo).
      expect(summary.replicatedAtOnce).toBe(true);
      expect(summary.warnedBehind).toEqual(['replicasBehind acked 0']);
    } else {
      expect(summary.warnings).not.toContain('replicasBehind');
    }
    expect(stats.every((stat) => stat.state === 'valid')).toBe(true);
    expect(fake.tokenState(stored?.accessToken ?? '')).toBe('valid');
  }, 120_000);
});

describe('a replica promoted after a partition, no host keeps a mirror (the contrast)', () => {
  it('nothing puts the lost pair back: no caller gets a working token, the stored refresh token is spent', async () => {
    const { summary, healed, stored } = await promote({ wait: false, mirrors: false });
    expect(summary.warnings).not.toContain('healedFromMirror');
    // The only live refresh token was in the lost commit (and in the hosts' memory, which a
    // refresh does not spend): the store's pair is spent, so no caller gets a working token.
    // Measured: the hosts adopt the promoted store's pair (it differs from theirs and looks
    // fresh), its access token is revoked, so each call's one retry gets the API's 401 back;
    // the next refresh spends the dead token once (the dead set stops the rest).
    expect(healed.some((answer) => answer.ok)).toBe(false);
    for (const answer of healed) expect(answer.error).toMatch(/^(Error: API 401|[A-Za-z]+Error: )/);
    expect(fake.invalidGrants).toBeLessThanOrEqual(1);
    expect(fake.tokenState(stored?.refreshToken ?? '')).not.toBe('valid');
  }, 120_000);
});

/**
 * Primary + replica behind a cuttable link and 3 hosts: a rotation, the cut, a rotation on the
 * primary only, the promotion, two more rotations. Returns what callers saw and the figures.
 */
async function promote({ wait, mirrors }: { wait: boolean; mirrors: boolean }) {
  const primary = await startRedisServer();
  cleanups.push(() => primary.stop());
  const replication: TcpProxy = await startTcpProxy(primary.port);
  cleanups.push(() => replication.close());
  const replica = await startRedisServer({ replicaOf: `127.0.0.1:${replication.port}` });
  cleanups.push(() => replica.stop());
  await eventually('replica link up', () => /master_link_status:up/.test(replica.cli('INFO', 'replication')));
  // One proxy per host plus one for the test's own reader: all follow the primary.
  const proxies = await Promise.all(Array.from({ length: 4 }, () => startTcpProxy(primary.port)));
  cleanups.push(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
  });
  const [readerProxy, ...hostProxies] = proxies as [TcpProxy, ...TcpProxy[]];
  const fleet = await startFleet({
    url: readerProxy.url,
    fake,
    hosts: 0,
    leaseTtlMs: 3_000,
    env: {
      AGENT_OPERATION_TIMEOUT_MS: '3000',
      ...(wait ? { AGENT_WAIT_REPLICAS: '1:500' } : {}),
      ...(mirrors ? {} : { AGENT_NO_MIRROR: '1' }),
    },
  });
  cleanups.push(() => fleet.dispose());
  const hosts = hostProxies.map((proxy, index) => fleet.startAgent(`host-${index}`, {}, proxy.url));
  await Promise.all(hosts.map((host) => host.next('ready')));
  const warnings = () =>
    hosts.flatMap((host) =>
      host.messages.filter((message): message is Warning => message.type === 'warning'),
    );
  fake.resetCounters();

  // 1. Healthy replication. With WAIT the replica has the commit when the rotation returns.
  const healthy = await fleet.round(1);
  const replicatedAtOnce = version(replica) === version(primary);
  await eventually('replica caught up', () => version(replica) === version(primary));

  const warnedHealthy = warnings().length;

  // 2. The replication link is cut; a rotation commits on the primary only.
  replication.cut('blackhole');
  const startedAt = performance.now();
  const behind = await fleet.round(2);
  const msBehind = Math.round(performance.now() - startedAt);
  const warnedBehind = warnings().slice(warnedHealthy);
  const lost = await fleet.store.readCredential(PROFILE_ID);
  const [primaryVersion, replicaVersion] = [version(primary), version(replica)];

  // 3. The primary dies; the replica is promoted; the proxies follow it.
  await primary.kill('SIGKILL');
  replica.cli('REPLICAOF', 'NO', 'ONE');
  for (const proxy of proxies) {
    proxy.retarget(replica.port);
    proxy.dropAll();
  }
  // The reader's first command may still meet the dropped socket: read again once it reconnects.
  const promoted = await fleet.store
    .readCredential(PROFILE_ID)
    .catch(() => fleet.store.readCredential(PROFILE_ID));
  const regressed = promoted?.accessToken !== lost?.accessToken;

  // 4. The next rotations on the promoted server (the lost pair's access token revoked).
  const beforeHeal = fake.tokenRequests;
  fake.revoke(lost?.accessToken ?? '');
  const healed = await fleet.round(3);
  const requestsHealed = fake.tokenRequests - beforeHeal;
  const next = await fleet.round(4);
  const stats = await fleet.stopAll();
  const summary = {
    wait,
    mirrors,
    healthy: outcomes(healthy),
    replicatedAtOnce,
    behind: outcomes(behind),
    msBehind,
    primaryVersion,
    replicaVersion,
    regressed,
    healed: outcomes(healed),
    requestsHealed,
    next: outcomes(next),
    tokenRequests: fake.tokenRequests,
    invalidGrants: fake.invalidGrants,
    warnedHealthy,
    warnedBehind: warnedBehind.map((warning) => `${warning.event} acked ${warning.details.acked}`),
    warnings: [...new Set(warnings().map((warning) => warning.event))],
  };
  console.log(`replica promoted after a partition, 3 hosts: ${JSON.stringify(summary)}`);
  // Every case: the acknowledged commit was lost by the promotion.
  expect(outcomes(healthy)).toEqual(['ok', 'ok', 'ok']);
  expect(outcomes(behind)).toEqual(['ok', 'ok', 'ok']);
  expect(warnedHealthy).toBe(0);
  expect(primaryVersion).toBe(replicaVersion + 1);
  expect(regressed).toBe(true);
  const stored = await fleet.store.readCredential(PROFILE_ID);
  return { summary, healed, next, stats, stored };
}
