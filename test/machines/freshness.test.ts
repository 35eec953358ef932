/** The freshness rule, table-driven: blank, usable and "is the candidate better than what we hold". */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FRESHNESS_MARGIN_MS,
  type FreshnessView,
  isBlank,
  isFresher,
  isUsable,
} from '../../machines/index.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const view = (fingerprint: string, expiresAt: number, rejected?: boolean): FreshnessView =>
  rejected === undefined ? { fingerprint, expiresAt } : { fingerprint, expiresAt, rejected };

describe('DEFAULT_FRESHNESS_MARGIN_MS', () => {
  it('is one minute', () => {
    expect(DEFAULT_FRESHNESS_MARGIN_MS).toBe(60_000);
  });
});

describe('isBlank', () => {
  it.each<[string, FreshnessView | null | undefined, boolean]>([
    ['null', null, true],
    ['undefined', undefined, true],
    ['blank fingerprint', view('', NOW + HOUR), true],
    ['expiresAt 0', view('fp', 0), true],
    ['negative expiresAt', view('fp', -1), true],
    ['NaN expiresAt', view('fp', Number.NaN), true],
    ['infinite expiresAt', view('fp', Number.POSITIVE_INFINITY), true],
    ['expiresAt 1 (long expired, but not blank)', view('fp', 1), false],
    ['a real credential', view('fp', NOW + HOUR), false],
    ['a rejected credential is not blank', view('fp', NOW + HOUR, true), false],
  ])('%s → %s', (_name, candidate, expected) => {
    expect(isBlank(candidate)).toBe(expected);
  });
});

describe('isUsable', () => {
  it.each<[string, FreshnessView | null | undefined, number | undefined, boolean]>([
    ['null', null, undefined, false],
    ['blank fingerprint', view('', NOW + HOUR), undefined, false],
    ['expiresAt 0', view('fp', 0), undefined, false],
    ['NaN expiresAt', view('fp', Number.NaN), undefined, false],
    ['an hour left', view('fp', NOW + HOUR), undefined, true],
    ['rejected with an hour left', view('fp', NOW + HOUR, true), undefined, false],
    ['rejected: false', view('fp', NOW + HOUR, false), undefined, true],
    ['already expired', view('fp', NOW - 1), undefined, false],
    ['exactly the default margin left', view('fp', NOW + MIN), undefined, false],
    ['1 ms more than the default margin', view('fp', NOW + MIN + 1), undefined, true],
    ['within a custom margin', view('fp', NOW + 5 * MIN), 5 * MIN, false],
    ['just outside a custom margin', view('fp', NOW + 5 * MIN + 1), 5 * MIN, true],
    ['margin 0, expiring exactly now', view('fp', NOW), 0, false],
    ['margin 0, 1 ms left', view('fp', NOW + 1), 0, true],
  ])('%s → %s', (_name, candidate, margin, expected) => {
    expect(isUsable(candidate, NOW, margin)).toBe(expected);
  });
});

describe('isFresher(candidate, current)', () => {
  const good = view('fp-current', NOW + 2 * HOUR);
  it.each<[string, FreshnessView | null | undefined, FreshnessView | null | undefined, boolean]>([
    // The candidate must itself be usable.
    ['candidate null', null, good, false],
    ['candidate undefined, current null', undefined, null, false],
    ['candidate blank fingerprint', view('', NOW + 8 * HOUR), null, false],
    ['candidate expiresAt 0 (the CLI blanked its file)', view('fp-cli', 0), null, false],
    ['candidate expiresAt NaN', view('fp-cli', Number.NaN), null, false],
    ['candidate rejected', view('fp-cli', NOW + 8 * HOUR, true), null, false],
    ['candidate expired', view('fp-cli', NOW - 1), null, false],
    ['candidate within the margin', view('fp-cli', NOW + MIN), null, false],
    [
      'candidate within the margin, current rejected',
      view('fp-cli', NOW + 30_000),
      view('fp', NOW + HOUR, true),
      false,
    ],
    // A usable candidate against a missing or broken current credential.
    ['current null', view('fp-cli', NOW + 8 * HOUR), null, true],
    ['current undefined', view('fp-cli', NOW + 8 * HOUR), undefined, true],
    ['current blank fingerprint', view('fp-cli', NOW + 8 * HOUR), view('', NOW + 9 * HOUR), true],
    ['current expiresAt 0', view('fp-cli', NOW + HOUR), view('fp-current', 0), true],
    // The store lost the expiry but kept the fingerprint: a blank record never beats a usable token.
    ['current blank with the same fingerprint', view('fp-cli', NOW + HOUR), view('fp-cli', 0), true],
    [
      'current expired, candidate expires earlier than it did',
      view('fp-cli', NOW + HOUR),
      view('fp', NOW - 1),
      true,
    ],
    ['current within the margin', view('fp-cli', NOW + HOUR), view('fp', NOW + MIN), true],
    [
      'current rejected, candidate expires earlier',
      view('fp-cli', NOW + HOUR),
      view('fp', NOW + 8 * HOUR, true),
      true,
    ],
    // Same token: never better, whatever its expiry says.
    ['same fingerprint, later expiry', view('fp-current', NOW + 8 * HOUR), good, false],
    [
      'same fingerprint, current rejected',
      view('fp-current', NOW + 8 * HOUR),
      view('fp-current', NOW + HOUR, true),
      false,
    ],
    [
      'same fingerprint, current expired',
      view('fp-current', NOW + 8 * HOUR),
      view('fp-current', NOW - 1),
      false,
    ],
    // Both usable: only a strictly later expiry wins.
    ['later expiry', view('fp-cli', NOW + 2 * HOUR + 1), good, true],
    ['equal expiry (no churn)', view('fp-cli', NOW + 2 * HOUR), good, false],
    ['earlier expiry', view('fp-cli', NOW + HOUR), good, false],
  ])('%s → %s', (_name, candidate, current, expected) => {
    expect(isFresher(candidate, current, NOW)).toBe(expected);
  });

  describe('clock skew: the verdict moves with the injected clock, not the wall clock', () => {
    const candidate = view('fp-cli', NOW + 10 * MIN);
    const current = view('fp-current', NOW + 5 * MIN);

    it.each<[string, number, boolean]>([
      ['our clock agrees', NOW, true],
      // Both look equally fine; the candidate still expires later.
      ['our clock is 2 minutes behind', NOW - 2 * MIN, true],
      // Ahead by 4.5 min: current is within the margin (expired for us), candidate still usable.
      ['our clock is 4.5 minutes ahead', NOW + 4.5 * 60_000, true],
      // Ahead by 9.5 min: the candidate is inside the margin too, so it is not trusted.
      ['our clock is 9.5 minutes ahead', NOW + 9.5 * 60_000, false],
      // Ahead by an hour: both have expired.
      ['our clock is an hour ahead', NOW + HOUR, false],
    ])('%s', (_name, clock, expected) => {
      expect(isFresher(candidate, current, clock)).toBe(expected);
    });

    it('an older candidate does not win just because our clock is behind', () => {
      expect(isFresher(view('fp-cli', NOW + MIN * 3), view('fp', NOW + MIN * 4), NOW - HOUR)).toBe(false);
    });
  });

  describe('margin', () => {
    it('uses the default margin when none is given', () => {
      expect(isFresher(view('fp-cli', NOW + MIN), null, NOW)).toBe(false);
      expect(isFresher(view('fp-cli', NOW + MIN + 1), null, NOW)).toBe(true);
    });

    it('applies a custom margin to both sides', () => {
      const margin = 10 * MIN;
      expect(isFresher(view('fp-cli', NOW + 10 * MIN), null, NOW, margin)).toBe(false);
      expect(isFresher(view('fp-cli', NOW + 10 * MIN + 1), null, NOW, margin)).toBe(true);
      // Current has 9 minutes: inside a 10-minute margin, so even an earlier-by-the-book candidate is not compared.
      expect(isFresher(view('fp-cli', NOW + 11 * MIN), view('fp', NOW + 9 * MIN), NOW, margin)).toBe(true);
      expect(isFresher(view('fp-cli', NOW + 11 * MIN), view('fp', NOW + 12 * MIN), NOW, margin)).toBe(false);
    });

    it('margin 0: a candidate with 1 ms left is usable', () => {
      expect(isFresher(view('fp-cli', NOW + 1), null, NOW, 0)).toBe(true);
      expect(isFresher(view('fp-cli', NOW), null, NOW, 0)).toBe(false);
    });
  });
});
