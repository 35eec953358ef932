/**
 * A fleet sharing one login through Redis: its own redis-server on a loopback port (no
 * persistence files outside a temp dir, stopped by pid) and the loopback fake of Anthropic.
 *
 * 1. The store's own costs, in this process: a read (HGETALL + decrypt), a commit (lease,
 *    re-read, compare-and-set, release), a locked no-op (lease round trip), `checkWritable`.
 * 2. `getAccessToken()` on a runtime backed by the Redis store, between rotations.
 * 3. 3 and 8 host processes (test/support/fleet.ts, each with its own local mirror) × forced
 *    rotations: every round the access token is revoked at the fake API and every host makes
 *    one `withAuth` call; token requests per rotation and the round's latency (revocation to
 *    every host served again).
 */
import { randomBytes } from 'node:crypto';
import { createSilentLogger } from '../src/logging/logger.js';
import { createAuthRecovery } from '../src/runtime/index.js';
import { createRedisProfileStore, type RedisProfileStore } from '../src/store/redis/index.js';
import { startFakeAnthropic } from '../test/support/fake-anthropic.js';
import { startFleet } from '../test/support/fleet.js';
import { type RedisServer, startRedisServer } from '../test/support/redis-server.js';
import { type BenchSection, formatNumber, percentile, sortedCopy } from './support/report.js';

const PROFILE = 'anthropic:claude-cli';
const STORE_OPS = 300;
const WARMUP_OPS = 30;
const TOKEN_CALLS = 20_000;
const ROTATIONS = 30;
const FLEETS = [3, 8];

type Timing = { p50: number; p99: number; max: number };

async function time(count: number, warmup: number, run: (index: number) => Promise<unknown>) {
  for (let index = 0; index < warmup; index += 1) await run(index);
  const samples: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const start = performance.now();
    await run(index);
    samples.push(performance.now() - start);
  }
  const sorted = sortedCopy(samples);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

const ms = (value: number) => formatNumber(value, value < 0.01 ? 4 : value < 1 ? 3 : 2);
const row = (what: string, timing: Timing, extra = '') => [
  what,
  ms(timing.p50),
  ms(timing.p99),
  ms(timing.max),
  extra,
];

async function storeOperations(
  server: RedisServer,
  key: string,
  fake: Awaited<ReturnType<typeof startFakeAnthropic>>,
) {
  const store = createRedisProfileStore({ url: server.url, encryptionKey: key, mirrorPath: false });
  try {
    await store.updateCredential(PROFILE, () => ({ write: fake.issueLogin(), result: null }));
    const read = await time(STORE_OPS, WARMUP_OPS, () => store.readCredential(PROFILE));
    const locked = await time(STORE_OPS, WARMUP_OPS, () =>
      store.updateCredential(PROFILE, () => ({ write: null, result: null })),
    );
    // Each commit writes a later-expiring pair, so every one lands (never a no-op).
    let expiresAt = Date.now() + 9 * 3_600_000;
    const commit = await time(STORE_OPS, WARMUP_OPS, () => {
      expiresAt += 1_000;
      const login = { ...fake.issueLogin(), expiresAt };
      return store.updateCredential(PROFILE, () => ({ write: login, result: null }));
    });
    const writable = await time(STORE_OPS, WARMUP_OPS, () => store.checkWritable?.() ?? Promise.resolve());
    return { read, locked, commit, writable };
  } finally {
    await store.close();
  }
}

async function accessTokenLatency(
  server: RedisServer,
  key: string,
  fake: Awaited<ReturnType<typeof startFakeAnthropic>>,
) {
  const store: RedisProfileStore = createRedisProfileStore({
    url: server.url,
    encryptionKey: key,
    mirrorPath: false,
    keyPrefix: 'hot',
  });
  const auth = createAuthRecovery({
    store,
    tokenUrl: fake.tokenUrl,
    cliSource: false,
    logger: createSilentLogger(),
  });
  try {
    await store.updateCredential(PROFILE, () => ({ write: fake.issueLogin(), result: null }));
    await auth.start();
    return await time(TOKEN_CALLS, 1_000, () => auth.getAccessToken());
  } finally {
    await auth.stop();
    await store.close();
  }
}

async function fleetRotations(
  server: RedisServer,
  fake: Awaited<ReturnType<typeof startFakeAnthropic>>,
  hosts: number,
) {
  server.cli('FLUSHALL');
  const fleet = await startFleet({ url: server.url, fake, hosts });
  try {
    await fleet.round(0); // warm-up: every host has served once
    fake.resetCounters();
    const rounds: number[] = [];
    let errors = 0;
    for (let round = 1; round <= ROTATIONS; round += 1) {
      const start = performance.now();
      const done = await fleet.round(round);
      rounds.push(performance.now() - start);
      errors += done.filter((answer) => !answer.ok).length;
    }
    const sorted = sortedCopy(rounds);
    return {
      hosts,
      tokenRequests: fake.tokenRequests,
      invalidGrants: fake.invalidGrants,
      errors,
      round: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN },
    };
  } finally {
    await fleet.stopAll().catch(() => undefined);
    await fleet.dispose();
  }
}

export async function benchFleet(): Promise<BenchSection> {
  const started = performance.now();
  const key = randomBytes(32).toString('hex');
  const [server, fake] = await Promise.all([startRedisServer({ appendonly: true }), startFakeAnthropic()]);
  try {
    const ops = await storeOperations(server, key, fake);
    const hot = await accessTokenLatency(server, key, fake);
    const fleets = [];
    for (const hosts of FLEETS) fleets.push(await fleetRotations(server, fake, hosts));
    const oneEach = fleets.every((fleet) => fleet.tokenRequests === ROTATIONS);
    const noErrors = fleets.every((fleet) => fleet.errors === 0 && fleet.invalidGrants === 0);
    const version = server.cli('INFO', 'server').match(/redis_version:(\S+)/)?.[1] ?? '?';
    return {
      title: 'Fleet on Redis: store latency, getAccessToken, rotations across host processes',
      method:
        `Its own redis-server ${version} on a loopback port (AOF, appendfsync always; files in a temp dir), the loopback fake of Anthropic (real HTTP). ` +
        `Store operations: ${STORE_OPS} sequential calls each after ${WARMUP_OPS} warm-up, one \`RedisProfileStore\` in this process (tokens sealed with AES-256-GCM). ` +
        `getAccessToken: ${formatNumber(TOKEN_CALLS)} sequential calls on a runtime backed by the Redis store, between rotations. ` +
        `Fleet: ${FLEETS.join(' and ')} host processes (each a node process with its own local mirror, lease ttl 10 s) × ${ROTATIONS} forced rotations: each round the stored access token is revoked at the fake API and every host makes one \`withAuth\` call at once; a round lasts from the revocation until every host was served again (one refresh, the commit, the others adopting the pair under the lease).`,
      table: [
        ['Operation', 'p50 (ms)', 'p99 (ms)', 'max (ms)', 'notes'],
        row('store read (`readCredential`)', ops.read),
        row('store commit (`updateCredential` that writes)', ops.commit, 'lease + re-read + CAS + release'),
        row('locked no-op (`updateCredential`, nothing written)', ops.locked, 'lease round trip'),
        row('`checkWritable` (probe write)', ops.writable, 'before every spend'),
        row('`getAccessToken()` on a Redis-backed runtime', hot, 'served from memory'),
        ...fleets.map((fleet) =>
          row(
            `fleet rotation round, ${fleet.hosts} hosts`,
            fleet.round,
            `${fleet.tokenRequests} token requests / ${ROTATIONS} rotations = ${formatNumber(fleet.tokenRequests / ROTATIONS, 2)}; ${fleet.invalidGrants} invalid_grant; ${fleet.errors} caller errors`,
          ),
        ),
      ],
      targets: [
        {
          metric: `token requests per rotation (${FLEETS.join(' and ')} hosts)`,
          target: 'exactly 1',
          measured: fleets.map((fleet) => `${fleet.tokenRequests}/${ROTATIONS}`).join(', '),
          met: oneEach,
        },
        {
          metric: 'invalid_grant answers and caller errors',
          target: '0',
          measured: fleets.map((fleet) => `${fleet.invalidGrants} and ${fleet.errors}`).join('; '),
          met: noErrors,
        },
        {
          metric: 'getAccessToken() p99 on a Redis-backed runtime',
          target: '< 1 ms (no Redis round trip on the hot path)',
          measured: `${ms(hot.p99)} ms`,
          met: hot.p99 < 1,
        },
      ],
      notes: [
        'The store figures are loopback round trips on a shared machine, with every write fsynced by the AOF: over a network add one round trip per command. A commit is 4 (lease script, HGETALL, commit script, release script); a refresh adds the `checkWritable` probe and the spend marker before the token request.',
      ],
      durationMs: performance.now() - started,
    };
  } finally {
    await fake.close();
    await server.stop();
  }
}
