/**
 * Hot path: `getAccessToken()` while the token is valid, against the floor (an awaited,
 * already-resolved promise of the token) and two peers with a cached valid token:
 * google-auth-library's `OAuth2Client.getAccessToken()` and @smithy/property-provider's
 * `memoize` around a token provider. All four are awaited the same way, in one tinybench run.
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
import { type BenchSection, formatNumber, verdict } from './support/report.js';

const TARGET_RATIO = 1.2;
const SKETCH = 'what-if: the same cached promise without the expiry clock read (not shipped)';
/** Calls per tinybench sample: timing each call alone would mostly measure the timer. */
const BATCH = 1000;

export async function benchHotPath(options: { timeMs?: number } = {}): Promise<BenchSection> {
  const started = performance.now();
  const store = createInMemoryProfileStore();
  const credential = longLivedCredential('hot');
  store.set('anthropic:claude-cli', credential);
  const auth = createAuthRecovery({
    store,
    cliSource: false,
    oauthClient: createInMemoryOAuthClient(),
  });
  await auth.start();
  if ((await auth.getAccessToken()) !== credential.accessToken) throw new Error('hot path: not valid');

  const google = new OAuth2Client();
  google.setCredentials({ access_token: credential.accessToken, expiry_date: Date.now() + 8 * 3_600_000 });
  const smithy = memoize(async () => ({
    token: credential.accessToken,
    expiration: new Date(Date.now() + 8 * 3_600_000),
  }));
  if ((await google.getAccessToken()).token !== credential.accessToken) throw new Error('google: no token');
  if ((await smithy()).token !== credential.accessToken) throw new Error('smithy: no token');

  const token = credential.accessToken;
  // What-if (not the library): getAccessToken() hands out one cached promise after a Date.now()
  // expiry check; this is the same without the clock read, to show what that check costs.
  const cached = Promise.resolve(token);
  let valid = true;
  const sketch = (): Promise<string> => (valid ? cached : Promise.reject(new Error('expired')));
  let sink = 0;
  const bench = new Bench({ time: options.timeMs ?? 1500, warmupTime: 300 });
  bench
    .add('floor: await Promise.resolve(token)', async () => {
      for (let i = 0; i < BATCH; i++) sink += (await Promise.resolve(token)).length;
    })
    .add('oauth-recovery getAccessToken()', async () => {
      for (let i = 0; i < BATCH; i++) sink += (await auth.getAccessToken()).length;
    })
    .add('google-auth-library OAuth2Client.getAccessToken()', async () => {
      for (let i = 0; i < BATCH; i++) sink += ((await google.getAccessToken()).token ?? '').length;
    })
    .add('@smithy/property-provider memoize()', async () => {
      for (let i = 0; i < BATCH; i++) sink += (await smithy()).token.length;
    })
    .add(SKETCH, async () => {
      for (let i = 0; i < BATCH; i++) sink += (await sketch()).length;
    });
  await bench.run();
  valid = false;
  await auth.stop();
  if (sink === 0) throw new Error('nothing measured');

  const stats = bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
    const meanNs = (result.latency.mean * 1e6) / BATCH;
    return { name: task.name, meanNs, opsPerSecond: 1e9 / meanNs, rme: result.latency.rme };
  });
  const [floor, ours, googleStats, smithyStats, sketchStats] = stats;
  if (!floor || !ours || !googleStats || !smithyStats || !sketchStats) throw new Error('missing tasks');
  const ratio = (meanNs: number) => meanNs / floor.meanNs;
  const ourRatio = ratio(ours.meanNs);
  const fasterThanPeers = ours.meanNs < googleStats.meanNs && ours.meanNs < smithyStats.meanNs;

  const table = [
    ['Task', 'ops/s', 'mean (ns)', '± rme', 'ratio to floor', 'verdict'],
    ...stats.map((row) => [
      row.name,
      formatNumber(row.opsPerSecond),
      formatNumber(row.meanNs, 1),
      `${formatNumber(row.rme, 2)} %`,
      `${formatNumber(ratio(row.meanNs), 2)}×`,
      row === floor
        ? 'floor'
        : row === ours
          ? verdict(ourRatio <= TARGET_RATIO)
          : row === sketchStats
            ? 'reference only'
            : `${formatNumber(row.meanNs / ours.meanNs, 2)}× the time of oauth-recovery`,
    ]),
  ];
  return {
    title: 'Hot path: getAccessToken() while valid',
    method: `tinybench, 1.5 s per task after 0.3 s warm-up; each sample is ${BATCH} sequential awaited calls (timing single calls would mostly measure the timer), mean ns = sample mean / ${BATCH}. oauth-recovery runs with an in-memory store and no CLI source (nothing on the hot path touches either); the peers hold a cached token valid for 8 h.`,
    table,
    targets: [
      {
        metric: 'getAccessToken() mean vs floor',
        target: `≤ ${TARGET_RATIO}× floor`,
        measured: `${formatNumber(ourRatio, 2)}× (${formatNumber(ours.meanNs, 1)} ns vs ${formatNumber(floor.meanNs, 1)} ns)`,
        met: ourRatio <= TARGET_RATIO,
        ...(ourRatio <= TARGET_RATIO
          ? {}
          : {
              note: `${formatNumber((ourRatio / TARGET_RATIO - 1) * 100, 0)} % over the target. The floor does no work at all; getAccessToken() hands out one cached promise (no allocation) but also checks expiry against the wall clock (one Date.now() call), because a host that slept (laptop lid, suspended board) fires the monotonic refresh timer late while the token expired in wall-clock time. The what-if row, the same cached promise without the clock read, measured ${formatNumber(ratio(sketchStats.meanNs), 2)}× the floor: the clock read is the gap. We keep it: serving an expired token after a suspend costs a failed API call, which is worth far more than ~40 ns.`,
            }),
      },
      {
        metric: 'getAccessToken() vs google-auth-library and @smithy memoize',
        target: 'faster than both',
        measured: `google ${formatNumber(googleStats.meanNs, 1)} ns, smithy ${formatNumber(smithyStats.meanNs, 1)} ns vs ours ${formatNumber(ours.meanNs, 1)} ns`,
        met: fasterThanPeers,
        ...(fasterThanPeers
          ? {}
          : {
              note: `memoize() hands back the one promise it cached with no clock read (it re-checks expiry only when asked), so it does less per call than getAccessToken(); the difference (${formatNumber(ours.meanNs - smithyStats.meanNs, 1)} ns) is about one Date.now() call, the expiry check we keep on purpose (see above).`,
            }),
      },
    ],
    durationMs: performance.now() - started,
  };
}
