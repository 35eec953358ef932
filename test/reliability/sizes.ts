/**
 * Sizes of the reliability suites. `npm run test:reliability` sets RELIABILITY_FULL=1 for the
 * full figures documented in docs/reliability.md; inside `npm test` the same files run with
 * the small sizes so the whole folder stays under ~40 s on 2 cores.
 */
export const FULL = process.env.RELIABILITY_FULL === '1';

export const SIZES = FULL
  ? { kills: 500, fuzzRuns: 10_000, loopbackRuns: 1_000, runtimeSyncRuns: 500 }
  : { kills: 50, fuzzRuns: 500, loopbackRuns: 100, runtimeSyncRuns: 30 };

/** Fixed so a failure is reproducible; override with RELIABILITY_SEED. */
export const SEED = Number(process.env.RELIABILITY_SEED ?? 20261123);

/** Per-test time limit: the full sizes run for minutes on a 2-core host. */
export const TEST_TIMEOUT_MS = FULL ? 30 * 60_000 : 60_000;
