/**
 * 10,000 concurrent getAccessToken() callers at expiry, on the real parts: file store, the
 * loopback fake of Anthropic, real fetch. The clock jumps past expiry before any timer fires,
 * then every caller asks at once; one refresh must serve them all.
 */
import { createRuntimeFixture } from '../test/support/runtime-fixture.js';
import { type BenchSection, formatNumber, percentile, sortedCopy } from './support/report.js';

const CALLERS = 10_000;
const ROUNDS = 5;
/** Rounds run first and not counted: the first one pays for JIT compilation. */
const WARMUP_ROUNDS = 3;

export async function benchSingleFlight(): Promise<BenchSection> {
  const started = performance.now();
  const rows: string[][] = [];
  const allWaits: number[] = [];
  let maxRequests = 0;
  let minRequests = Number.POSITIVE_INFINITY;
  for (let round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
    const fx = await createRuntimeFixture();
    try {
      const login = fx.fake.issueLogin();
      await fx.writeStoreLogin(login);
      const auth = fx.create({ cliSource: false });
      await auth.start();
      fx.fake.resetCounters();
      fx.clock.jump(8 * 3_600_000); // past expiry, before any timer could fire
      const waits = new Float64Array(CALLERS);
      const t0 = performance.now();
      const tokens = await Promise.all(
        Array.from({ length: CALLERS }, (_, i) => {
          const start = performance.now();
          return auth.getAccessToken().then((token) => {
            waits[i] = performance.now() - start;
            return token;
          });
        }),
      );
      const wall = performance.now() - t0;
      if (new Set(tokens).size !== 1 || tokens[0] === login.accessToken)
        throw new Error('callers got different tokens');
      if (round < 0) continue;
      const sorted = sortedCopy([...waits]);
      allWaits.push(...sorted);
      maxRequests = Math.max(maxRequests, fx.fake.tokenRequests);
      minRequests = Math.min(minRequests, fx.fake.tokenRequests);
      rows.push([
        String(round + 1),
        String(fx.fake.tokenRequests),
        formatNumber(percentile(sorted, 50), 1),
        formatNumber(percentile(sorted, 99), 1),
        formatNumber(wall, 1),
      ]);
    } finally {
      await fx.cleanup();
    }
  }
  const sorted = sortedCopy(allWaits);
  const exactlyOne = maxRequests === 1 && minRequests === 1;
  return {
    title: `Single flight: ${formatNumber(CALLERS)} concurrent callers at expiry`,
    method: `${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds, each a fresh runtime on a file store and the loopback fake (real HTTP). The clock jumps past expiry, then ${formatNumber(CALLERS)} getAccessToken() calls start in one tick. Wait = from the call to its resolution (performance.now()), so it includes the one refresh round trip, the locked store write and the time to resolve ${formatNumber(CALLERS)} promises.`,
    table: [
      ['Round', 'token requests', 'p50 wait (ms)', 'p99 wait (ms)', 'all resolved after (ms)'],
      ...rows,
    ],
    targets: [
      {
        metric: `token requests for ${formatNumber(CALLERS)} concurrent callers`,
        target: 'exactly 1',
        measured: exactlyOne ? `1 in each of ${ROUNDS} rounds` : `${minRequests}–${maxRequests}`,
        met: exactlyOne,
      },
      {
        metric: 'caller wait p50 / p99 (all rounds)',
        target: 'reported',
        measured: `${formatNumber(percentile(sorted, 50), 1)} ms / ${formatNumber(percentile(sorted, 99), 1)} ms`,
        met: true,
      },
    ],
    durationMs: performance.now() - started,
  };
}
