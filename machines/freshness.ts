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
  /**
   * Epoch ms when this process obtained the token (the end of the refresh or sync that brought
   * it); absent when unknown (a credential loaded at start). With it, the margin scales with
   * the token's lifetime (see `usableMarginMs`).
   */
  issuedAt?: number;
}

/** Default slack: a token that expires within a minute is treated as already expired. */
export const DEFAULT_FRESHNESS_MARGIN_MS = 60_000;

/** True for no credential, an empty fingerprint (blank tokens) or a missing/zero `expiresAt`: what a logged-out CLI leaves. */
export function isBlank(view: FreshnessView | null | undefined): boolean {
  return !view || view.fingerprint === '' || !Number.isFinite(view.expiresAt) || view.expiresAt <= 0;
}

/**
 * The margin that applies to `view`, in ms: `marginMs`, but never more than half of the token's
 * lifetime when its issue time is known, so a short-lived token (`expires_in: 30`) is usable for
 * the first half of its life instead of never. A lifetime of 0 or less gives a margin of 0.
 */
export function usableMarginMs(
  view: Pick<FreshnessView, 'expiresAt' | 'issuedAt'>,
  marginMs: number,
): number {
  if (view.issuedAt === undefined || !Number.isFinite(view.issuedAt)) return marginMs;
  return Math.min(marginMs, Math.max(0, (view.expiresAt - view.issuedAt) / 2));
}

/**
 * Epoch ms until which `view` is usable (its expiry minus the scaled margin); 0 for a blank or
 * rejected view. The runtime serves a token from memory until this moment.
 */
export function usableUntil(
  view: FreshnessView | null | undefined,
  marginMs = DEFAULT_FRESHNESS_MARGIN_MS,
): number {
  if (!view || isBlank(view) || view.rejected) return 0;
  return view.expiresAt - usableMarginMs(view, marginMs);
}

/** Non-blank, not rejected, and valid for longer than the margin (scaled to a known lifetime). */
export function isUsable(
  view: FreshnessView | null | undefined,
  now: number,
  marginMs = DEFAULT_FRESHNESS_MARGIN_MS,
): boolean {
  return usableUntil(view, marginMs) > now;
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
