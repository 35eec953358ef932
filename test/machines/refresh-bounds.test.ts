/**
 * The arithmetic that bounds the work: the refresh point that scales with a token's lifetime
 * (and its jitter), the clamp on a cooldown another tool persisted, and the stated bound on
 * token requests per minute. Pure functions of a policy, `random` injected.
 */
import { describe, expect, it } from 'vitest';
import {
  clampStoredCooldown,
  DEFAULT_POLICY,
  lifetimeRefreshPoint,
  MAX_TIMER_MS,
  maxTokenRequestsPerMinute,
  type RecoveryPolicy,
  resolvePolicy,
  usableMarginMs,
  usableUntil,
} from '../../machines/index.js';

const T = Date.UTC(2026, 10, 30, 9, 0, 0);
const S = 1_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const policy = (overrides: Partial<RecoveryPolicy> = {}): RecoveryPolicy => ({
  ...DEFAULT_POLICY,
  ...overrides,
});
const fixed = (value: number) => () => value;

describe('lifetimeRefreshPoint', () => {
  it('an 8 h token refreshes 5 min before expiry, as before (issue time known or not)', () => {
    expect(lifetimeRefreshPoint({ expiresAt: T + 8 * HOUR, issuedAt: T }, policy(), fixed(0))).toBe(
      T + 8 * HOUR - 5 * MIN,
    );
    expect(lifetimeRefreshPoint({ expiresAt: T + 8 * HOUR }, policy(), fixed(0))).toBe(
      T + 8 * HOUR - 5 * MIN,
    );
  });

  it.each([
    ['expires_in: 200', 200 * S, 100 * S],
    ['expires_in: 30', 30 * S, 15 * S],
    ['expires_in: 1', S, S / 2],
    ['exactly twice the window', 10 * MIN, 5 * MIN],
    ['just over twice the window', 10 * MIN + 2 * S, 5 * MIN + 2 * S],
  ])('a short token refreshes at its half-life, not at once: %s', (_name, lifetime, after) => {
    expect(lifetimeRefreshPoint({ expiresAt: T + lifetime, issuedAt: T }, policy(), fixed(0))).toBe(
      T + after,
    );
  });

  it('a lifetime of 0 or less refreshes at its issue time (the minimum interval bounds the rate)', () => {
    expect(lifetimeRefreshPoint({ expiresAt: T, issuedAt: T }, policy(), fixed(0))).toBe(T);
    expect(lifetimeRefreshPoint({ expiresAt: T - HOUR, issuedAt: T }, policy(), fixed(0.9))).toBe(T);
  });

  it('a token loaded without an issue time keeps the old rule (inside its window: now)', () => {
    expect(lifetimeRefreshPoint({ expiresAt: T + 200 * S }, policy(), fixed(0))).toBe(T + 200 * S - 5 * MIN);
  });

  describe('refreshJitterMs', () => {
    const jittered = policy({ refreshJitterMs: 2 * MIN });
    it('moves the point earlier by random() × refreshJitterMs', () => {
      const token = { expiresAt: T + 8 * HOUR, issuedAt: T };
      expect(lifetimeRefreshPoint(token, jittered, fixed(0))).toBe(T + 8 * HOUR - 5 * MIN);
      expect(lifetimeRefreshPoint(token, jittered, fixed(0.5))).toBe(T + 8 * HOUR - 6 * MIN);
      expect(lifetimeRefreshPoint({ expiresAt: T + 8 * HOUR }, jittered, fixed(0.5))).toBe(
        T + 8 * HOUR - 6 * MIN,
      );
    });
    it('never before half the lifetime', () => {
      expect(lifetimeRefreshPoint({ expiresAt: T + 200 * S, issuedAt: T }, jittered, fixed(0.999))).toBe(
        T + 100 * S,
      );
    });
    it('ignores an out-of-range random', () => {
      const token = { expiresAt: T + 8 * HOUR, issuedAt: T };
      expect(lifetimeRefreshPoint(token, jittered, fixed(Number.NaN))).toBe(T + 8 * HOUR - 5 * MIN);
      expect(lifetimeRefreshPoint(token, jittered, fixed(-1))).toBe(T + 8 * HOUR - 5 * MIN);
      expect(lifetimeRefreshPoint(token, jittered, fixed(7))).toBeGreaterThanOrEqual(T + 8 * HOUR - 7 * MIN);
    });
    it('with 0 (the default) the point does not depend on random', () => {
      const token = { expiresAt: T + 8 * HOUR, issuedAt: T };
      expect(lifetimeRefreshPoint(token, policy(), fixed(0.9))).toBe(
        lifetimeRefreshPoint(token, policy(), fixed(0)),
      );
    });
  });
});

describe('usableMarginMs / usableUntil (the margin scales with a known lifetime)', () => {
  it('is the policy margin for a long or an unknown lifetime', () => {
    expect(usableMarginMs({ expiresAt: T + 8 * HOUR, issuedAt: T }, MIN)).toBe(MIN);
    expect(usableMarginMs({ expiresAt: T + 30 * S }, MIN)).toBe(MIN);
  });
  it('is at most half a known lifetime, and 0 for a lifetime of 0 or less', () => {
    expect(usableMarginMs({ expiresAt: T + 30 * S, issuedAt: T }, MIN)).toBe(15 * S);
    expect(usableMarginMs({ expiresAt: T, issuedAt: T }, MIN)).toBe(0);
    expect(usableMarginMs({ expiresAt: T - S, issuedAt: T }, MIN)).toBe(0);
  });
  it('a 30 s token is usable for its first 15 s (it was never usable before)', () => {
    const view = { fingerprint: 'fp', expiresAt: T + 30 * S, issuedAt: T };
    expect(usableUntil(view, MIN)).toBe(T + 15 * S);
    expect(usableUntil({ ...view, issuedAt: undefined }, MIN)).toBe(T - 30 * S);
  });
  it('is 0 for a blank, rejected or missing view', () => {
    expect(usableUntil(null, MIN)).toBe(0);
    expect(usableUntil({ fingerprint: '', expiresAt: T + HOUR }, MIN)).toBe(0);
    expect(usableUntil({ fingerprint: 'fp', expiresAt: T + HOUR, rejected: true }, MIN)).toBe(0);
  });
});

describe('clampStoredCooldown (issue 9 input 5)', () => {
  it('cuts a deadline beyond cooldownMaxMs to now + cooldownMaxMs', () => {
    expect(clampStoredCooldown(T + 6 * HOUR, T, policy())).toBe(T + 15 * MIN);
    expect(clampStoredCooldown(T + 6 * HOUR, T, policy({ cooldownMaxMs: MIN }))).toBe(T + MIN);
  });
  it('keeps a deadline within the policy', () => {
    expect(clampStoredCooldown(T + 15 * MIN, T, policy())).toBe(T + 15 * MIN);
    expect(clampStoredCooldown(T + 1, T, policy())).toBe(T + 1);
  });
  it.each([
    ['absent', undefined],
    ['null', null],
    ['now', T],
    ['past', T - HOUR],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('reads %s as no cooldown', (_name, value) => {
    expect(clampStoredCooldown(value, T, policy())).toBeNull();
  });
});

describe('maxTokenRequestsPerMinute', () => {
  it('is (1 + maxRetries) × ⌈60 000 / minRefreshIntervalMs⌉', () => {
    expect(maxTokenRequestsPerMinute(DEFAULT_POLICY)).toBe(24);
    expect(maxTokenRequestsPerMinute(policy({ maxRetries: 0, minRefreshIntervalMs: 60_000 }))).toBe(1);
    expect(maxTokenRequestsPerMinute(policy({ maxRetries: 1, minRefreshIntervalMs: 7_000 }))).toBe(18);
    expect(maxTokenRequestsPerMinute(policy({ maxRetries: 2, minRefreshIntervalMs: 120_000 }))).toBe(3);
  });
});

describe('resolvePolicy: the new fields', () => {
  it('requires a minimum refresh interval of at least 1 ms (0 would leave the rate unbounded)', () => {
    expect(() => resolvePolicy({ minRefreshIntervalMs: 0 })).toThrow(/minRefreshIntervalMs.*at least 1 ms/);
    expect(resolvePolicy({ minRefreshIntervalMs: 1 }).minRefreshIntervalMs).toBe(1);
  });
  it('keeps both below the longest timer and non-negative', () => {
    expect(() => resolvePolicy({ minRefreshIntervalMs: MAX_TIMER_MS + 1 })).toThrow(RangeError);
    expect(() => resolvePolicy({ refreshJitterMs: MAX_TIMER_MS + 1 })).toThrow(RangeError);
    expect(() => resolvePolicy({ refreshJitterMs: -1 })).toThrow(RangeError);
    expect(resolvePolicy({ refreshJitterMs: 0 }).refreshJitterMs).toBe(0);
  });
});
