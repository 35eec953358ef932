/**
 * The one rule that decides whether a candidate credential is better than the one we hold.
 * Pure and metadata-only, so the machine's `isCliFresher` guard and every store write path
 * (never wipe, never downgrade) apply exactly the same test.
 */

export interface FreshnessView {
  /** Short hash of the access token; '' means blank. */
  fingerprint: string;
  /** Epoch ms; 0 or less means blank. */
  expiresAt: number;
  /** Set when an API call rejected this exact token (revoked before its expiry). */
  rejected?: boolean;
}

/** Default slack: a token that expires within a minute is treated as already expired. */
export const DEFAULT_FRESHNESS_MARGIN_MS = 60_000;

export function isBlank(view: FreshnessView | null | undefined): boolean {
  return !view || view.fingerprint === '' || !Number.isFinite(view.expiresAt) || view.expiresAt <= 0;
}

/** Non-blank, not rejected, and valid for longer than the margin. */
export function isUsable(
  view: FreshnessView | null | undefined,
  now: number,
  marginMs = DEFAULT_FRESHNESS_MARGIN_MS,
): boolean {
  // Stryker disable next-line OptionalChaining: equivalent — `!isBlank(view)` is false for a null view, so `view` is never null here (`?.` is for the type checker).
  return !isBlank(view) && !view?.rejected && (view as FreshnessView).expiresAt - marginMs > now;
}

/**
 * A candidate is better when it is usable, is a different token, and either the current one
 * is gone/blank/rejected/expired or the candidate expires later. Equal expiry is not better
 * (no churn between two equally good tokens).
 */
export function isFresher(
  candidate: FreshnessView | null | undefined,
  current: FreshnessView | null | undefined,
  now: number,
  marginMs = DEFAULT_FRESHNESS_MARGIN_MS,
): boolean {
  if (!candidate || !isUsable(candidate, now, marginMs)) return false;
  if (!current || isBlank(current)) return true;
  if (candidate.fingerprint === current.fingerprint) return false;
  if (!isUsable(current, now, marginMs)) return true;
  return candidate.expiresAt > current.expiresAt;
}
