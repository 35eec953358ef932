/**
 * Backoff and cooldown arithmetic in one place, as small pure functions of a policy object.
 * `random` is injected (0 ≤ r < 1) so tests and the model-based suite are deterministic.
 */

export interface RecoveryPolicy {
  /** Refresh this long before expiry. */
  refreshWindowMs: number;
  /** A token expiring within this margin counts as expired. */
  freshnessMarginMs: number;
  /** Refresh retries after transient failures, and re-syncs after a retried call is rejected. */
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** 0 = no jitter, 1 = full jitter (delay drawn from [0, d]). */
  retryJitter: number;
  cooldownBaseMs: number;
  cooldownMaxMs: number;
  cooldownFactor: number;
}

export const DEFAULT_POLICY: RecoveryPolicy = {
  refreshWindowMs: 5 * 60_000,
  freshnessMarginMs: 60_000,
  maxRetries: 3,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  retryJitter: 0.5,
  cooldownBaseMs: 30_000,
  cooldownMaxMs: 15 * 60_000,
  cooldownFactor: 2,
};

export function resolvePolicy(overrides: Partial<RecoveryPolicy> | undefined): RecoveryPolicy {
  const policy = { ...DEFAULT_POLICY, ...overrides };
  for (const [key, value] of Object.entries(policy)) {
    // Stryker disable next-line ConditionalExpression: equivalent — Number.isFinite does not coerce, so it is false for every non-number; the typeof test narrows the type.
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`policy.${key} must be a finite number ≥ 0 (got ${String(value)})`);
    }
  }
  if (policy.retryJitter > 1) throw new RangeError('policy.retryJitter must be between 0 and 1');
  if (policy.cooldownFactor < 1) throw new RangeError('policy.cooldownFactor must be ≥ 1');
  for (const key of ['retryMaxMs', 'cooldownMaxMs'] as const) {
    if (policy[key] > MAX_TIMER_MS)
      throw new RangeError(`policy.${key} must be at most ${MAX_TIMER_MS} ms (~24.8 days)`);
  }
  return policy;
}

/** Exponential backoff for retry number `attempt` (0-based), capped, with jitter taken off the top. */
export function retryBackoffMs(attempt: number, policy: RecoveryPolicy, random: () => number): number {
  const exponential = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempt));
  const jitter = exponential * policy.retryJitter * clamp01(random());
  return Math.round(exponential - jitter);
}

/** Cooldown length for the `consecutive`-th cooldown in a row (0-based): grows by `cooldownFactor`, capped. */
export function cooldownDurationMs(consecutive: number, policy: RecoveryPolicy): number {
  const grown = policy.cooldownBaseMs * policy.cooldownFactor ** Math.max(0, consecutive);
  return Math.round(Math.min(policy.cooldownMaxMs, grown));
}

/**
 * The longest delay a timer can hold: Node fires anything above 2³¹ − 1 ms (about 24.8 days)
 * after 1 ms, which would turn a far-off refresh into a refresh loop.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Milliseconds until `deadline`, never negative (a deadline in the past fires at once) and never
 * beyond MAX_TIMER_MS (a far-off deadline fires early: a refresh 24.8 days out happens then).
 */
export function remainingMs(deadline: number | null, now: number): number {
  if (deadline === null) return 0;
  return Math.min(MAX_TIMER_MS, Math.max(0, deadline - now));
}

function clamp01(value: number): number {
  // Stryker disable next-line EqualityOperator: equivalent — `value <= 0` only adds 0, which maps to 0 either way.
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 0.999999 : value;
}
