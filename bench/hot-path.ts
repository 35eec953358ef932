/**
 * Hot path: `getAccessToken()` while the token is valid, against the floor (an awaited,
 * already-resolved promise of the token), the floor plus one `Date.now()`, and the peers as
 * their own SDKs configure them for an expiring token: google-auth-library's
 * `OAuth2Client.getAccessToken()` as it ships, and @smithy/property-provider's `memoize` with
 * the AWS SDK's `isExpired`/`requiresRefresh` pair (5-min window). The bare `memoize(provider)`
 * (caches forever, no clock read) stays as a labelled reference row. One tinybench run.
 */
import { memoize } from '@smithy/property-provider';
import { OAuth2Client } from 'google-auth-library';
import { Bench } from 'tinybench';
import { createAuthRecovery } from '../src/runtime/create-auth-recovery.js';
import {
  createInMemoryOAuthClient,
  createInMemoryProfileStore,
  longLivedCredential,
} from './support/in-memory.js';
import { type BenchSection, formatNumber, type TargetCheck, verdict } from './support/report.js';

const SKETCH = 'what-if: the same cached promise without the expiry clock read (not shipped)';
/** Calls per tinybench sample: timing each call alone would mostly measure the timer. */
const BATCH = 1000;
const HOUR_MS = 3_600_000;

/** The AWS SDK's window: a credential within 5 min of its expiration is treated as expired. */
const AWS_EXPIRY_WINDOW_MS = 300_000;
interface ExpiringToken {
  token: string;
  expiration?: Date;
}
/**
 * The pair the AWS SDK passes to `memoize` for its default credential chain, in
 * aws/aws-sdk-js-v3 packages/credential-provider-node/src/defaultProvider.ts
 * (`credentialsTreatedAsExpired`, `credentialsWillNeedRefresh`): expired when the expiration
 * is under 300000 ms away (one Date.now() per call); refreshable whenever it has one.
 */
const awsTreatedAsExpired = (value: ExpiringToken): boolean =>
  value.expiration !== undefined && value.expiration.getTime() - Date.now() < AWS_EXPIRY_WINDOW_MS;
const awsWillNeedRefresh = (value: ExpiringToken): boolean => value.expiration !== undefined;

type Role = 'floor' | 'clock-floor' | 'ours' | 'peer' | 'reference';
interface Task {
  name: string;
  config: string;
  role: Role;
  /** BATCH sequential awaited calls. */
  batch: () => Promise<void>;
}

export async function benchHotPath(options: { timeMs?: number } = {}): Promise<BenchSection> {
  const started = performance.now();
  const store = createInMemoryProfileStore();
  const credential = longLivedCredential('hot');
  store.set('anthropic:claude-cli', credential);
  const auth = createAuthRecovery({ store, cliSource: false, oauthClient: createInMemoryOAuthClient() });
  await auth.start();
  const token = credential.accessToken;
  if ((await auth.getAccessToken()) !== token) throw new Error('hot path: not valid');

  const expiration = new Date(Date.now() + 8 * HOUR_MS);
  const provider = async (): Promise<ExpiringToken> => ({ token, expiration });
  const google = new OAuth2Client();
  google.setCredentials({ access_token: token, expiry_date: expiration.getTime() });
  const smithyAws = memoize(provider, awsTreatedAsExpired, awsWillNeedRefresh);
  const smithyBare = memoize(provider);
  for (const [name, get] of [
    ['google', async () => (await google.getAccessToken()).token],
    ['smithy (AWS)', async () => (await smithyAws()).token],
    ['smithy (bare)', async () => (await smithyBare()).token],
  ] as const) {
    if ((await get()) !== token) throw new Error(`${name}: no token`);
  }

  // What-if (not the library): getAccessToken() hands out one cached promise after a Date.now()
  // expiry check; this is the same without the clock read, to show what that check costs.
  const cached = Promise.resolve(token);
  let valid = true;
  const sketch = (): Promise<string> => (valid ? cached : Promise.reject(new Error('expired')));
  const validUntil = expiration.getTime();
  let sink = 0;
  // Each task loops inline (no per-call wrapper) so every row pays only for its own call.
  const tasks: Task[] = [
    {
      name: 'floor',
      config: '`await Promise.resolve(token)`',
      role: 'floor',
      batch: async () => {
        for (let i = 0; i < BATCH; i++) sink += (await Promise.resolve(token)).length;
      },
    },
    {
      name: 'floor + one clock read',
      config: '`Date.now() < validUntil`, then `await Promise.resolve(token)`',
      role: 'clock-floor',
      batch: async () => {
        for (let i = 0; i < BATCH; i++)
          if (Date.now() < validUntil) sink += (await Promise.resolve(token)).length;
      },
    },
    {
      name: 'oauth-recovery `getAccessToken()`',
      config: 'as shipped (valid token, 8 h left)',
      role: 'ours',
      batch: async () => {
        for (let i = 0; i < BATCH; i++) sink += (await auth.getAccessToken()).length;
      },
    },
    {
      name: 'google-auth-library `OAuth2Client.getAccessToken()`',
      config: 'as shipped: `new OAuth2Client()`, default `eagerRefreshThresholdMillis` (5 min)',
      role: 'peer',
      batch: async () => {
        for (let i = 0; i < BATCH; i++) sink += ((await google.getAccessToken()).token ?? '').length;
      },
    },
    {
      name: '@smithy/property-provider `memoize(provider, isExpired, requiresRefresh)`',
      config: "as the AWS SDK's default credential chain configures it (5-min window)",
      role: 'peer',
      batch: async () => {
        for (let i = 0; i < BATCH; i++) sink += (await smithyAws()).token.length;
      },
    },
    {
      name: '@smithy/property-provider `memoize(provider)`',
      config:
        'reference only: bare, caches forever, no clock read (not how the AWS SDK uses it for expiring credentials)',
      role: 'reference',
      batch: async () => {
        for (let i = 0; i < BATCH; i++) sink += (await smithyBare()).token.length;
      },
    },
    {
      name: SKETCH,
      config: 'reference only',
      role: 'reference',
      batch: async () => {
        for (let i = 0; i < BATCH; i++) sink += (await sketch()).length;
      },
    },
  ];

  const bench = new Bench({ time: options.timeMs ?? 1500, warmupTime: 300 });
  for (const task of tasks) bench.add(task.name, task.batch);
  await bench.run();
  valid = false;
  await auth.stop();
  if (sink === 0) throw new Error('nothing measured');

  const stats = tasks.map((task, index) => {
    const result = bench.tasks[index]?.result;
    if (result?.state !== 'completed') throw new Error(`${task.name}: ${result?.state}`);
    // The median sample, not the mean: on a shared machine a few descheduled samples drag the mean.
    const ns = (result.latency.p50 * 1e6) / BATCH;
    return { ...task, ns, opsPerSecond: 1e9 / ns, rme: result.latency.rme };
  });
  const one = (role: Role) => {
    const row = stats.find((s) => s.role === role);
    if (!row) throw new Error(`missing ${role}`);
    return row;
  };
  const floor = one('floor');
  const clockFloor = one('clock-floor');
  const ours = one('ours');
  const peers = stats.filter((s) => s.role === 'peer');
  const sketchStats = stats.find((s) => s.name === SKETCH) ?? ours;
  const oursOver = (row: { ns: number }) => ours.ns / row.ns;
  // "Within one clock read of the floor": at most floor + one Date.now(), measured in this run,
  // with both rows' relative margins of error as the noise allowance.
  const clockAllowance = clockFloor.ns * (1 + (ours.rme + clockFloor.rme) / 100);
  const withinClockRead = ours.ns <= clockAllowance;

  const table = [
    [
      'Task',
      'Configuration',
      'ops/s',
      'median ns/op',
      '± rme',
      'ratio to floor',
      'oauth-recovery ÷ this',
      'verdict',
    ],
    ...stats.map((row) => [
      row.name,
      row.config,
      formatNumber(row.opsPerSecond),
      formatNumber(row.ns, 1),
      `${formatNumber(row.rme, 2)} %`,
      `${formatNumber(row.ns / floor.ns, 2)}×`,
      row.role === 'ours' ? '1.00×' : `${formatNumber(oursOver(row), 2)}×`,
      row.role === 'ours'
        ? verdict(withinClockRead)
        : row.role === 'peer'
          ? ours.ns < row.ns
            ? 'peer slower: met'
            : 'peer faster: **not met**'
          : row.role === 'reference'
            ? 'reference only'
            : row.role === 'floor'
              ? 'floor'
              : 'floor + clock read',
    ]),
  ];
  const peerTargets: TargetCheck[] = peers.map((peer) => {
    const met = ours.ns < peer.ns;
    return {
      metric: `getAccessToken() vs ${peer.name}, ${peer.config}`,
      target: 'faster (oauth-recovery ÷ peer < 1)',
      measured: `${formatNumber(oursOver(peer), 2)}× (${formatNumber(ours.ns, 1)} ns vs ${formatNumber(peer.ns, 1)} ns)`,
      met,
      ...(met
        ? {}
        : { note: `${formatNumber((oursOver(peer) - 1) * 100, 0)} % slower than this peer in this run.` }),
    };
  });
  return {
    title: 'Hot path: getAccessToken() while valid',
    method: `tinybench, 1.5 s per task after 0.3 s warm-up; each sample is ${BATCH} sequential awaited calls (timing single calls would mostly measure the timer), ns/op = median sample / ${BATCH} (the median, because other processes share the cores and a few descheduled samples drag a mean), ± rme is tinybench's relative margin of error of the mean. oauth-recovery runs with an in-memory store and no CLI source (nothing on the hot path touches either); every peer holds a cached token valid for 8 h. Peers are configured as their own SDKs ship them for expiring tokens; "oauth-recovery ÷ this" below 1 means oauth-recovery takes less time per call. Both peers read the clock on every call, as we do; the bare \`memoize(provider)\` does not and is a reference, not a target.`,
    table,
    targets: [
      {
        metric: 'getAccessToken() median vs floor',
        target: '≤ floor + one clock read (the "floor + one clock read" row, ± both rows\' rme)',
        measured: `${formatNumber(ours.ns, 1)} ns vs ${formatNumber(clockFloor.ns, 1)} ns (floor ${formatNumber(floor.ns, 1)} ns; ${formatNumber(ours.ns / floor.ns, 2)}× floor)`,
        met: withinClockRead,
        ...(withinClockRead
          ? {}
          : {
              note: `${formatNumber((ours.ns / clockAllowance - 1) * 100, 0)} % over floor + one clock read, after the noise allowance. The what-if row (the same cached promise without the clock read) measured ${formatNumber(sketchStats.ns / floor.ns, 2)}× the floor. We keep the wall-clock read: a host that slept fires the refresh timer late while the token expired in wall-clock time.`,
            }),
      },
      ...peerTargets,
    ],
    durationMs: performance.now() - started,
  };
}
