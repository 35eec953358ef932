/** Backoff and cooldown arithmetic: pure functions of a policy, with `random` injected. */
import { describe, expect, it } from 'vitest';
import {
  cooldownDurationMs,
  DEFAULT_POLICY,
  MAX_TIMER_MS,
  type RecoveryPolicy,
  remainingMs,
  resolvePolicy,
  retryBackoffMs,
} from '../../machines/index.js';

const policy = (overrides: Partial<RecoveryPolicy> = {}): RecoveryPolicy => ({
  ...DEFAULT_POLICY,
  ...overrides,
});
const noJitter = policy({ retryBaseMs: 500, retryMaxMs: 30_000, retryJitter: 0 });
const fixed = (value: number) => () => value;

describe('DEFAULT_POLICY', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_POLICY).toEqual({
      refreshWindowMs: 300_000,
      freshnessMarginMs: 60_000,
      maxRetries: 3,
      retryBaseMs: 500,
      retryMaxMs: 30_000,
      retryJitter: 0.5,
      cooldownBaseMs: 30_000,
      cooldownMaxMs: 900_000,
      cooldownFactor: 2,
      minRefreshIntervalMs: 10_000,
      refreshJitterMs: 0,
    });
  });
});

describe('retryBackoffMs', () => {
  it('doubles per attempt from retryBaseMs', () => {
    expect([0, 1, 2, 3, 4, 5].map((attempt) => retryBackoffMs(attempt, noJitter, fixed(0)))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000,
    ]);
  });

  it('is capped at retryMaxMs', () => {
    expect(retryBackoffMs(6, noJitter, fixed(0))).toBe(30_000);
    expect(retryBackoffMs(50, noJitter, fixed(0))).toBe(30_000);
    expect(
      retryBackoffMs(6, policy({ retryBaseMs: 500, retryMaxMs: 32_000, retryJitter: 0 }), fixed(0)),
    ).toBe(32_000);
    expect(
      retryBackoffMs(6, policy({ retryBaseMs: 500, retryMaxMs: 31_999, retryJitter: 0 }), fixed(0)),
    ).toBe(31_999);
  });

  it('treats a negative attempt as the first one', () => {
    expect(retryBackoffMs(-1, noJitter, fixed(0))).toBe(500);
    expect(retryBackoffMs(-10, noJitter, fixed(0))).toBe(500);
  });

  it('takes jitter off the top: random 0 gives the full delay', () => {
    const jittered = policy({ retryBaseMs: 1_000, retryMaxMs: 60_000, retryJitter: 0.5 });
    expect(retryBackoffMs(0, jittered, fixed(0))).toBe(1_000);
    expect(retryBackoffMs(2, jittered, fixed(0))).toBe(4_000);
  });

  it('takes at most jitter × delay off: random 0.999', () => {
    const jittered = policy({ retryBaseMs: 1_000, retryMaxMs: 60_000, retryJitter: 0.5 });
    expect(retryBackoffMs(0, jittered, fixed(0.999))).toBe(Math.round(1_000 - 1_000 * 0.5 * 0.999));
    expect(retryBackoffMs(0, jittered, fixed(0.999))).toBe(501);
    expect(retryBackoffMs(0, jittered, fixed(0.5))).toBe(750);
  });

  it('with full jitter stays in (0, d]', () => {
    const full = policy({ retryBaseMs: 1_000, retryMaxMs: 60_000, retryJitter: 1 });
    expect(retryBackoffMs(0, full, fixed(0))).toBe(1_000);
    expect(retryBackoffMs(0, full, fixed(0.999))).toBe(1);
    expect(retryBackoffMs(0, full, fixed(0.25))).toBe(750);
  });

  it('clamps an out-of-range random: ≥ 1 acts as just below 1, negative or non-finite as 0', () => {
    const full = policy({ retryBaseMs: 1_000_000, retryMaxMs: 10_000_000, retryJitter: 1 });
    // 1 and above are clamped to 0.999999, so a little of the delay is always left.
    expect(retryBackoffMs(0, full, fixed(1))).toBe(1);
    expect(retryBackoffMs(0, full, fixed(7))).toBe(1);
    expect(retryBackoffMs(0, full, fixed(Number.POSITIVE_INFINITY))).toBe(1_000_000);
    expect(retryBackoffMs(0, full, fixed(-0.5))).toBe(1_000_000);
    expect(retryBackoffMs(0, full, fixed(Number.NaN))).toBe(1_000_000);
    expect(retryBackoffMs(0, full, fixed(Number.NEGATIVE_INFINITY))).toBe(1_000_000);
  });

  it('keeps random in range at the boundaries: 0.999999 is kept, just under 1 is kept', () => {
    const full = policy({ retryBaseMs: 10_000_000, retryMaxMs: 10_000_000, retryJitter: 1 });
    expect(retryBackoffMs(0, full, fixed(0.5))).toBe(5_000_000);
    expect(retryBackoffMs(0, full, fixed(0.9999995))).toBe(Math.round(10_000_000 * (1 - 0.9999995)));
    expect(retryBackoffMs(0, full, fixed(1))).toBe(Math.round(10_000_000 * (1 - 0.999999)));
  });

  it('never returns more than the cap or less than 0, for any random', () => {
    const jittered = policy({ retryBaseMs: 500, retryMaxMs: 30_000, retryJitter: 0.5 });
    for (const attempt of [-3, 0, 1, 5, 10, 100]) {
      for (const r of [0, 0.1, 0.5, 0.999, 1, 2, -1, Number.NaN]) {
        const delay = retryBackoffMs(attempt, jittered, fixed(r));
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(30_000);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('rounds to whole milliseconds', () => {
    expect(retryBackoffMs(0, policy({ retryBaseMs: 3, retryJitter: 0.5 }), fixed(0.5))).toBe(2);
    expect(retryBackoffMs(0, policy({ retryBaseMs: 5, retryJitter: 0.3 }), fixed(0.5))).toBe(4);
  });

  it('calls random once per delay', () => {
    let calls = 0;
    retryBackoffMs(2, DEFAULT_POLICY, () => {
      calls += 1;
      return 0.5;
    });
    expect(calls).toBe(1);
  });
});

describe('cooldownDurationMs', () => {
  const cooldown = policy({ cooldownBaseMs: 30_000, cooldownMaxMs: 900_000, cooldownFactor: 2 });

  it('grows by cooldownFactor per consecutive cooldown', () => {
    expect([0, 1, 2, 3, 4].map((n) => cooldownDurationMs(n, cooldown))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000,
    ]);
  });

  it('is capped at cooldownMaxMs', () => {
    expect(cooldownDurationMs(5, cooldown)).toBe(900_000);
    expect(cooldownDurationMs(1_000, cooldown)).toBe(900_000);
  });

  it('treats a negative count as the first cooldown', () => {
    expect(cooldownDurationMs(-1, cooldown)).toBe(30_000);
    expect(cooldownDurationMs(-5, cooldown)).toBe(30_000);
  });

  it('uses the factor, not a fixed doubling, and rounds', () => {
    expect(cooldownDurationMs(2, policy({ cooldownBaseMs: 1_000, cooldownFactor: 3 }))).toBe(9_000);
    expect(cooldownDurationMs(1, policy({ cooldownBaseMs: 1_000, cooldownFactor: 1.0005 }))).toBe(1_001);
    expect(cooldownDurationMs(3, policy({ cooldownBaseMs: 1_000, cooldownFactor: 1 }))).toBe(1_000);
  });
});

describe('remainingMs', () => {
  it('is the time left until the deadline', () => {
    expect(remainingMs(1_500, 1_000)).toBe(500);
  });

  it('is 0 for a deadline now or in the past, and for no deadline', () => {
    expect(remainingMs(1_000, 1_000)).toBe(0);
    expect(remainingMs(900, 1_000)).toBe(0);
    expect(remainingMs(null, 1_000)).toBe(0);
    expect(remainingMs(0, 1_000)).toBe(0);
  });

  it('no deadline means no wait whatever the clock says', () => {
    expect(remainingMs(null, 0)).toBe(0);
    expect(remainingMs(null, -1_000)).toBe(0);
  });
});

describe('resolvePolicy', () => {
  it('fills in the defaults', () => {
    expect(resolvePolicy(undefined)).toEqual(DEFAULT_POLICY);
    expect(resolvePolicy({})).toEqual(DEFAULT_POLICY);
    expect(resolvePolicy({ maxRetries: 0 })).toEqual({ ...DEFAULT_POLICY, maxRetries: 0 });
  });

  it('returns a copy, never the shared default object', () => {
    const resolved = resolvePolicy(undefined);
    expect(resolved).not.toBe(DEFAULT_POLICY);
  });

  it('accepts the boundaries: 0 everywhere allowed, jitter 1, factor 1', () => {
    expect(() =>
      resolvePolicy({ retryBaseMs: 0, retryMaxMs: 0, retryJitter: 0, cooldownBaseMs: 0, maxRetries: 0 }),
    ).not.toThrow();
    expect(resolvePolicy({ retryJitter: 1, cooldownFactor: 1 })).toMatchObject({
      retryJitter: 1,
      cooldownFactor: 1,
    });
  });

  it.each([
    ['maxRetries', -1, 'policy.maxRetries must be a finite number ≥ 0 (got -1)'],
    ['retryBaseMs', Number.NaN, 'policy.retryBaseMs must be a finite number ≥ 0 (got NaN)'],
    ['retryMaxMs', Number.POSITIVE_INFINITY, 'policy.retryMaxMs must be a finite number ≥ 0 (got Infinity)'],
    ['cooldownBaseMs', '1000', 'policy.cooldownBaseMs must be a finite number ≥ 0 (got 1000)'],
    ['refreshWindowMs', null, 'policy.refreshWindowMs must be a finite number ≥ 0 (got null)'],
  ] as const)('rejects %s = %s', (key, value, message) => {
    const attempt = () => resolvePolicy({ [key]: value } as unknown as Partial<RecoveryPolicy>);
    expect(attempt).toThrow(RangeError);
    expect(attempt).toThrow(message);
  });

  it('rejects jitter above 1', () => {
    expect(() => resolvePolicy({ retryJitter: 1.01 })).toThrow(RangeError);
    expect(() => resolvePolicy({ retryJitter: 1.01 })).toThrow('policy.retryJitter must be between 0 and 1');
  });

  it('rejects a cooldown factor below 1', () => {
    expect(() => resolvePolicy({ cooldownFactor: 0.99 })).toThrow(RangeError);
    expect(() => resolvePolicy({ cooldownFactor: 0.99 })).toThrow('policy.cooldownFactor must be ≥ 1');
  });
});

describe('timer limit', () => {
  it('refuses a retry or cooldown cap beyond what setTimeout can hold, and accepts the limit itself', () => {
    expect(() => resolvePolicy({ retryMaxMs: MAX_TIMER_MS + 1 })).toThrow(
      /policy\.retryMaxMs must be at most 2147483647 ms/,
    );
    expect(() => resolvePolicy({ cooldownMaxMs: MAX_TIMER_MS + 1 })).toThrow(
      /policy\.cooldownMaxMs must be at most/,
    );
    expect(resolvePolicy({ retryMaxMs: MAX_TIMER_MS, cooldownMaxMs: MAX_TIMER_MS }).cooldownMaxMs).toBe(
      MAX_TIMER_MS,
    );
  });

  it('caps remainingMs at the limit', () => {
    expect(remainingMs(MAX_TIMER_MS * 4, 0)).toBe(MAX_TIMER_MS);
    expect(remainingMs(MAX_TIMER_MS, 0)).toBe(MAX_TIMER_MS);
  });
});
