/**
 * Bounded work as a property (issue 9): whatever the token lifetime (0, 1 s, 30 s, 200 s, 8 h,
 * a year, negative), whatever the token endpoint answers (rotations, adoptions, every failure
 * class with any Retry-After), whatever the CLI holds and however API calls are rejected, the
 * real recovery machine on a simulated clock never starts more token requests in any minute
 * than `maxTokenRequestsPerMinute(policy)` = (1 + maxRetries) × ⌈60 000 / minRefreshIntervalMs⌉.
 * The same property on the real runtime with the loopback token server is in
 * bounded-work-runtime.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, maxTokenRequestsPerMinute, resolvePolicy } from '../../machines/index.js';
import {
  maxInWindow,
  runWorld,
  type SyncAnswer,
  type TokenAnswer,
  type World,
  type WorldStep,
} from './bounded-work/machine-simulation.js';
import { FULL, SEED, TEST_TIMEOUT_MS } from './sizes.js';

const S = 1_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const RUNS = FULL ? 2_000 : 60;

const lifetime = fc.oneof(
  fc.constantFrom(0, 1, S, 30 * S, 200 * S, 8 * HOUR, 365 * 24 * HOUR, -HOUR),
  fc.integer({ min: -2 * MIN, max: 15 * MIN }),
);
const tokenAnswer: fc.Arbitrary<TokenAnswer> = fc.oneof(
  fc.record({ kind: fc.constant('rotated' as const), lifetimeMs: lifetime }),
  fc.record({ kind: fc.constant('adopted' as const), lifetimeMs: lifetime }),
  fc.constant({ kind: 'permanent' as const }),
  fc.record(
    { kind: fc.constant('transient' as const), retryAfterMs: fc.integer({ min: 0, max: 10 * MIN }) },
    { requiredKeys: ['kind'] },
  ),
);
const syncAnswer: fc.Arbitrary<SyncAnswer> = fc.oneof(
  fc.record({ kind: fc.constant('adopted' as const), lifetimeMs: lifetime }),
  fc.constantFrom<SyncAnswer>(
    { kind: 'notFresher' },
    { kind: 'blank' },
    { kind: 'missing' },
    { kind: 'unreadable' },
  ),
);
const step: fc.Arbitrary<WorldStep> = fc.record({
  advanceMs: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 2 * S }),
    fc.integer({ min: 0, max: 40 * S }),
  ),
  calls: fc.boolean(),
  rejected: fc.boolean(),
  forceRefresh: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  human: fc.constantFrom(null, null, null, null, 'CREDENTIALS_CHANGED' as const, 'SYNC_REQUESTED' as const),
});
/** Every policy resolvePolicy accepts, within ranges a simulation can walk. */
const policy = fc
  .record({
    refreshWindowMs: fc.integer({ min: 0, max: 10 * MIN }),
    freshnessMarginMs: fc.integer({ min: 0, max: 2 * MIN }),
    maxRetries: fc.integer({ min: 0, max: 4 }),
    retryBaseMs: fc.integer({ min: 0, max: 2 * S }),
    retryMaxMs: fc.integer({ min: 0, max: 30 * S }),
    retryJitter: fc.double({ min: 0, max: 1, noNaN: true }),
    cooldownBaseMs: fc.integer({ min: 0, max: MIN }),
    cooldownMaxMs: fc.integer({ min: 0, max: 5 * MIN }),
    cooldownFactor: fc.double({ min: 1, max: 4, noNaN: true }),
    minRefreshIntervalMs: fc.integer({ min: 500, max: 2 * MIN }),
    refreshJitterMs: fc.integer({ min: 0, max: MIN }),
  })
  .map((overrides) => resolvePolicy(overrides));

const world = (policyArbitrary: fc.Arbitrary<World['policy']>): fc.Arbitrary<World> =>
  fc.record({
    policy: policyArbitrary,
    initialLifetimeMs: lifetime,
    tokenAnswers: fc.array(tokenAnswer, { minLength: 1, maxLength: 6 }),
    syncAnswers: fc.array(syncAnswer, { minLength: 1, maxLength: 4 }),
    retryAnswers: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 1, maxLength: 3 }),
    steps: fc.array(step, { minLength: 1, maxLength: 80 }),
    seed: fc.integer(),
  });

async function checkBound(input: World): Promise<void> {
  const { requests } = await runWorld(input);
  const bound = maxTokenRequestsPerMinute(input.policy);
  const worst = maxInWindow(requests, MIN);
  if (worst > bound) {
    throw new Error(`${worst} token requests in one minute, bound ${bound}: ${JSON.stringify(requests)}`);
  }
}

describe('bounded work: token requests per minute on the real machine (simulated clock)', () => {
  it(
    `never exceeds (1 + maxRetries) × ⌈60 000 / minRefreshIntervalMs⌉ for any policy (${RUNS} runs)`,
    async () => {
      await fc.assert(fc.asyncProperty(world(policy), checkBound), { numRuns: RUNS, seed: SEED });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    `with the default policy: at most ${maxTokenRequestsPerMinute(DEFAULT_POLICY)} a minute (${RUNS} runs)`,
    async () => {
      await fc.assert(fc.asyncProperty(world(fc.constant(DEFAULT_POLICY)), checkBound), {
        numRuns: RUNS,
        seed: SEED + 1,
      });
    },
    TEST_TIMEOUT_MS,
  );

  it('the bound is reached, not just stated: a storm-prone world comes close to it', async () => {
    // Every answer a transient failure and every call rejected: recoveries back to back.
    const stormy: World = {
      policy: resolvePolicy({ cooldownBaseMs: 0, cooldownMaxMs: 0, retryBaseMs: 0, retryMaxMs: 0 }),
      initialLifetimeMs: 0,
      tokenAnswers: [{ kind: 'transient' }],
      syncAnswers: [{ kind: 'notFresher' }],
      retryAnswers: [1],
      steps: Array.from({ length: 200 }, () => ({
        advanceMs: 500,
        calls: true,
        rejected: true,
        forceRefresh: true,
        human: null,
      })),
      seed: 1,
    };
    const { requests } = await runWorld(stormy);
    const bound = maxTokenRequestsPerMinute(stormy.policy);
    expect(maxInWindow(requests, MIN)).toBeLessThanOrEqual(bound);
    expect(maxInWindow(requests, MIN)).toBeGreaterThanOrEqual(bound - (1 + stormy.policy.maxRetries));
  });
});
