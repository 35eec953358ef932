/**
 * Backoff, cooldown and refresh-schedule arithmetic in one place, as small pure functions of a
 * policy object. `random` is injected (0 ≤ r < 1) so tests and the model-based suite are
 * deterministic.
 */
import { usableMarginMs } from './freshness.js';

/** The recovery's numbers: refresh window, retry backoff, cooldown growth. All durations in ms. */
export interface RecoveryPolicy {
  /** Refresh this long before expiry. */
  refreshWindowMs: number;
  /** A token expiring within this margin counts as expired. */
  freshnessMarginMs: number;
  /** Refresh retries after transient failures, and re-syncs after a retried call is rejected. */
  maxRetries: number;
  /** First retry backoff, ms; doubles per attempt (before jitter). */
  retryBaseMs: number;
  /** Retry backoff cap, ms. */
  retryMaxMs: number;
  /** 0 = no jitter, 1 = full jitter (delay drawn from [0, d]). */
  retryJitter: number;
  /** First cooldown, ms. */
  cooldownBaseMs: number;
  /** Cooldown cap, ms (also caps a persisted cooldown read back at start). */
  cooldownMaxMs: number;
  /** Each consecutive cooldown lasts this many times the previous one (≥ 1); resets on recovery. */
  cooldownFactor: number;
  /**
   * The least time, in ms, between the token request that starts a recovery and the token
   * request before it (retries inside one recovery keep their backoff). Bounds the token
   * requests per minute whatever the token lifetime or the answers (see
   * `maxTokenRequestsPerMinute`). At least 1.
   */
  minRefreshIntervalMs: number;
  /**
   * Moves the proactive refresh point earlier by a random amount in [0, this) ms, drawn from the
   * injected `random`, so many watchers of one login do not refresh in the same instant. Never
   * earlier than half the token's lifetime. 0 = no jitter.
   */
  refreshJitterMs: number;
}

/** The defaults, tuned for Anthropic's 8 h access tokens: refresh 5 min early, cooldowns 30 s → 15 min. */
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
  minRefreshIntervalMs: 10_000,
  refreshJitterMs: 0,
};

/**
 * `DEFAULT_POLICY` with `overrides` applied, validated.
 * @throws RangeError for a negative or non-finite number, `retryJitter` > 1, `cooldownFactor` < 1
 * or `minRefreshIntervalMs` < 1.
 */
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
  if (policy.minRefreshIntervalMs < 1) {
    throw new RangeError(
      'policy.minRefreshIntervalMs must be at least 1 ms: it bounds the token requests per minute',
    );
  }
  for (const key of ['retryMaxMs', 'cooldownMaxMs', 'minRefreshIntervalMs', 'refreshJitterMs'] as const) {
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
 * The delay before retry number `attempt` (0-based) after a transient failure: the jittered
 * exponential backoff, never shorter than the server's `Retry-After` (`retryAfterMs`, in ms,
 * null when the server sent none), and never longer than `policy.retryMaxMs`.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | null,
  policy: RecoveryPolicy,
  random: () => number,
): number {
  const backoff = retryBackoffMs(attempt, policy, random);
  return Math.min(policy.retryMaxMs, Math.max(backoff, retryAfterMs ?? 0));
}

/**
 * When the next proactive refresh is due (epoch ms), given the credential's timing, a deferral
 * `notBefore` (epoch ms; null = none) and the start of the last token request `lastRefreshAt`
 * (epoch ms; null = none yet): the lifetime-scaled point (`lifetimeRefreshPoint`, jittered), or
 * the deferral when that is later, but never past the token's last usable moment (expiry minus
 * the scaled margin), and never sooner than `minRefreshIntervalMs` after the last request.
 */
export function refreshPointAt(
  credential: CredentialTiming,
  notBefore: number | null,
  lastRefreshAt: number | null,
  policy: RecoveryPolicy,
  random: () => number,
): number {
  const point = lifetimeRefreshPoint(credential, policy, random);
  const due = Math.max(point, notBefore ?? Number.NEGATIVE_INFINITY);
  const usableUntil = credential.expiresAt - usableMarginMs(credential, policy.freshnessMarginMs);
  return Math.max(Math.min(due, usableUntil), earliestTokenRequestAt(lastRefreshAt, policy));
}

/**
 * The earliest moment (epoch ms) a recovery may start a token request: `minRefreshIntervalMs`
 * after the last one started (`lastRefreshAt`, epoch ms), or any time (−Infinity) before the first.
 */
export function earliestTokenRequestAt(
  lastRefreshAt: number | null,
  policy: Pick<RecoveryPolicy, 'minRefreshIntervalMs'>,
): number {
  return lastRefreshAt === null ? Number.NEGATIVE_INFINITY : lastRefreshAt + policy.minRefreshIntervalMs;
}

/**
 * When a cooldown that starts at `now` (epoch ms) ends, as epoch ms: `now` plus the length of
 * the `consecutive`-th cooldown in a row (0-based, see `cooldownDurationMs`). A failed
 * recovery whose token still works defers its next refresh by the same amount.
 */
export function cooldownEndsAt(now: number, consecutive: number, policy: RecoveryPolicy): number {
  return now + cooldownDurationMs(consecutive, policy);
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

/** A credential's timing, as the refresh schedule needs it: epoch ms, never a token. */
export interface CredentialTiming {
  /** When the access token expires, epoch ms. */
  expiresAt: number;
  /** When this process obtained the token; absent when unknown (loaded at start). */
  issuedAt?: number;
}

/**
 * The proactive refresh point of a credential, epoch ms. With a known issue time it scales with
 * the lifetime L = expiresAt − issuedAt: `issuedAt + max(L/2, L − refreshWindowMs)`, so an 8 h
 * token refreshes 5 min before expiry and a 200 s token at its half-life instead of at once.
 * Without one it is `expiresAt − refreshWindowMs` (a token loaded inside its window refreshes
 * now). `refreshJitterMs` moves the point earlier by `random() × refreshJitterMs`, never before
 * half the lifetime.
 */
export function lifetimeRefreshPoint(
  credential: CredentialTiming,
  policy: Pick<RecoveryPolicy, 'refreshWindowMs' | 'refreshJitterMs'>,
  random: () => number,
): number {
  const { expiresAt, issuedAt } = credential;
  const jitter = policy.refreshJitterMs * clamp01(random());
  if (issuedAt === undefined || !Number.isFinite(issuedAt)) {
    return Math.round(expiresAt - policy.refreshWindowMs - jitter);
  }
  const lifetime = expiresAt - issuedAt;
  const halfLife = issuedAt + Math.max(0, lifetime / 2);
  const point = issuedAt + Math.max(lifetime / 2, lifetime - policy.refreshWindowMs);
  return Math.round(Math.max(halfLife, point - jitter));
}

/**
 * A cooldown deadline read from a store (epoch ms), as the runtime and `status` honour it: a
 * missing, non-finite or past deadline is none (null), and one further away than
 * `cooldownMaxMs` from `now` is cut to `now + cooldownMaxMs`. Another tool (a gateway's
 * rate-limit ladder) may have written `now + 6 h`; our policy never waits that long.
 */
export function clampStoredCooldown(
  cooldownUntil: number | null | undefined,
  now: number,
  policy: Pick<RecoveryPolicy, 'cooldownMaxMs'>,
): number | null {
  if (typeof cooldownUntil !== 'number' || !Number.isFinite(cooldownUntil) || cooldownUntil <= now)
    return null;
  return Math.min(cooldownUntil, now + policy.cooldownMaxMs);
}

/**
 * The most token requests one running instance (one profile) sends in any 60 s window, for any
 * token lifetime, answer or rejection pattern: `(1 + maxRetries) × ⌈60 000 / minRefreshIntervalMs⌉`.
 * Why: a recovery sends at most 1 + maxRetries requests (its first, then transient retries),
 * and its first request comes at least `minRefreshIntervalMs` after the request before it, so
 * at most ⌈60 000 / minRefreshIntervalMs⌉ recoveries touch one minute. 24 with the defaults.
 */
export function maxTokenRequestsPerMinute(
  policy: Pick<RecoveryPolicy, 'maxRetries' | 'minRefreshIntervalMs'>,
): number {
  return (1 + policy.maxRetries) * Math.ceil(60_000 / policy.minRefreshIntervalMs);
}
