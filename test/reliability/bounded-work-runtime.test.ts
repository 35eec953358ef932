/**
 * The bounded-work property on the real runtime: `createAuthRecovery` on a temp store with the
 * loopback token server (real HTTP, real file locks) and a manual clock for the machine's timers.
 * fast-check picks the token lifetime, a schedule of endpoint failures (invalid_grant, an HTML
 * 403, 5xx, 429 with Retry-After) and of agent calls (accepted or rejected with 401); whatever it
 * picks, no minute sees more token requests than `maxTokenRequestsPerMinute(DEFAULT_POLICY)`.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { DEFAULT_POLICY, maxTokenRequestsPerMinute } from '../../machines/index.js';
import type { AuthRecovery } from '../../src/runtime/index.js';
import type { InjectedFailure } from '../support/fake-anthropic.js';
import { createRuntimeFixture } from '../support/runtime-fixture.js';
import { maxInWindow } from './bounded-work/machine-simulation.js';
import { FULL, SEED, TEST_TIMEOUT_MS } from './sizes.js';

const RUNS = FULL ? 100 : 4;
const REJECTED = {
  status: 401,
  error: { type: 'error', error: { type: 'authentication_error', message: 'OAuth token has been revoked' } },
};
const FAILURES: Record<string, InjectedFailure> = {
  invalidGrant: { status: 400, body: '{"error":"invalid_grant"}', contentType: 'application/json' },
  htmlChallenge: { status: 403, body: '<html>challenge</html>', contentType: 'text/html' },
  serverError: { status: 503 },
  rateLimited: { status: 429, retryAfter: 120 },
};

interface Step {
  advanceMs: number;
  failures: Array<keyof typeof FAILURES>;
  call: 'none' | 'accepted' | 'rejected';
}

const step: fc.Arbitrary<Step> = fc.record({
  advanceMs: fc.integer({ min: 0, max: 20_000 }),
  failures: fc.array(fc.constantFrom(...(Object.keys(FAILURES) as Array<keyof typeof FAILURES>)), {
    maxLength: 3,
  }),
  call: fc.constantFrom('none', 'accepted', 'rejected', 'rejected'),
});

async function settled(auth: AuthRecovery): Promise<void> {
  for (let round = 0; round < 20; round += 1) {
    await auth.whenIdle();
    await new Promise((resolve) => setImmediate(resolve));
    const { state } = auth.getSnapshot();
    if (state !== 'refreshing' && state !== 'syncingFromCli' && state !== 'retrying') return;
  }
}

describe('bounded work on the real runtime (loopback token server, manual clock)', () => {
  it(
    `never more than ${maxTokenRequestsPerMinute(DEFAULT_POLICY)} token requests a minute (${RUNS} runs)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(1, 2, 30, 200, 28_800),
          fc.array(step, { minLength: 5, maxLength: 40 }),
          async (lifetimeSeconds, steps) => {
            const fx = await createRuntimeFixture();
            const calls: Array<Promise<unknown>> = [];
            try {
              await fx.writeStoreLogin(fx.fake.issueLogin());
              fx.fake.setTokenAnswer({ fields: { expires_in: lifetimeSeconds } });
              const auth = fx.create({ cliSource: false });
              await auth.start();
              const times: number[] = [];
              for (const { advanceMs, failures, call } of steps) {
                for (const failure of failures) fx.fake.failNext(1, FAILURES[failure]);
                if (call !== 'none') {
                  const fn =
                    call === 'accepted'
                      ? (token: string) => fx.callApi(token)
                      : () => Promise.reject(REJECTED);
                  calls.push(auth.withAuth(fn).catch((error: unknown) => error));
                }
                // Requests are stamped with the simulated time they were sent at (time stands still while settling).
                const record = (from: number) => {
                  for (let n = from; n < fx.fake.tokenRequests; n += 1) times.push(fx.clock.now());
                };
                const atStart = fx.fake.tokenRequests;
                await settled(auth);
                record(atStart);
                const afterAdvance = fx.fake.tokenRequests;
                fx.clock.advance(advanceMs);
                await settled(auth);
                record(afterAdvance);
              }
              const worst = maxInWindow(times, 60_000);
              const bound = maxTokenRequestsPerMinute(DEFAULT_POLICY);
              if (worst > bound) throw new Error(`${worst} token requests in a minute (bound ${bound})`);
            } finally {
              await fx.cleanup();
              await Promise.all(calls);
            }
          },
        ),
        { numRuns: RUNS, seed: SEED },
      );
    },
    TEST_TIMEOUT_MS,
  );
});
