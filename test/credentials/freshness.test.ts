/**
 * THE freshness rule, table-driven: every case the issue names (equal expiry, clock skew, an
 * already-expired stored credential, blank, same token) plus the write gate built on it.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FRESHNESS_MARGIN_MS,
  decideCredentialWrite,
  isCredentialBlank,
  isCredentialFresher,
  isCredentialUsable,
} from '../../src/credentials/freshness.js';
import type { OAuthCredential } from '../../src/credentials/types.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const MARGIN = DEFAULT_FRESHNESS_MARGIN_MS;

/** `name` '' gives an empty access token. */
const cred = (name: string, expiresAt: number, refresh = `sk-ant-ort01-${name}`): OAuthCredential => ({
  accessToken: name === '' ? '' : `sk-ant-oat01-${name}`,
  refreshToken: refresh,
  expiresAt,
});

const valid = cred('current', NOW + 4 * HOUR);

interface FreshnessCase {
  name: string;
  candidate: OAuthCredential | null;
  current: OAuthCredential | null;
  fresher: boolean;
  /** The clock the decision is made with; default NOW. */
  now?: number;
}

const cases: FreshnessCase[] = [
  { name: 'no candidate', candidate: null, current: valid, fresher: false },
  { name: 'no candidate, no current', candidate: null, current: null, fresher: false },
  {
    name: 'usable candidate, nothing stored',
    candidate: cred('new', NOW + HOUR),
    current: null,
    fresher: true,
  },
  {
    name: 'blank candidate (CLI blanked its file)',
    candidate: cred('', 0, ''),
    current: null,
    fresher: false,
  },
  {
    name: 'candidate with empty access token',
    candidate: cred('', NOW + HOUR),
    current: null,
    fresher: false,
  },
  {
    name: 'candidate with empty refresh token is blank',
    candidate: cred('new', NOW + 8 * HOUR, ''),
    current: valid,
    fresher: false,
  },
  { name: 'candidate with expiresAt 0', candidate: cred('new', 0), current: null, fresher: false },
  { name: 'candidate with negative expiresAt', candidate: cred('new', -5), current: null, fresher: false },
  { name: 'candidate with NaN expiresAt', candidate: cred('new', Number.NaN), current: null, fresher: false },
  { name: 'candidate already expired', candidate: cred('new', NOW - 1), current: null, fresher: false },
  { name: 'candidate expires exactly now', candidate: cred('new', NOW), current: null, fresher: false },
  {
    name: 'candidate expires inside the margin',
    candidate: cred('new', NOW + MARGIN - 1),
    current: null,
    fresher: false,
  },
  {
    name: 'candidate expires exactly at the margin',
    candidate: cred('new', NOW + MARGIN),
    current: null,
    fresher: false,
  },
  {
    name: 'candidate expires just past the margin',
    candidate: cred('new', NOW + MARGIN + 1),
    current: null,
    fresher: true,
  },
  {
    name: 'stored credential is blank',
    candidate: cred('new', NOW + HOUR),
    current: cred('', 0, ''),
    fresher: true,
  },
  {
    name: 'stored credential has an empty refresh token',
    candidate: cred('new', NOW + HOUR),
    current: cred('current', NOW + 8 * HOUR, ''),
    fresher: true,
  },
  {
    name: 'stored credential already expired, candidate valid',
    candidate: cred('new', NOW + HOUR),
    current: cred('current', NOW - HOUR),
    fresher: true,
  },
  {
    name: 'stored credential expires inside the margin, candidate valid but earlier than stored+margin',
    candidate: cred('new', NOW + 2 * MARGIN),
    current: cred('current', NOW + MARGIN / 2),
    fresher: true,
  },
  {
    name: 'both expired: an expired candidate never wins',
    candidate: cred('new', NOW - MIN),
    current: cred('current', NOW - HOUR),
    fresher: false,
  },
  { name: 'same token, same expiry', candidate: { ...valid }, current: valid, fresher: false },
  {
    name: 'same token with a later expiry is still the same token',
    candidate: { ...valid, expiresAt: valid.expiresAt + HOUR },
    current: valid,
    fresher: false,
  },
  {
    name: 'same access token, different refresh token',
    candidate: { ...valid, refreshToken: 'sk-ant-ort01-other' },
    current: valid,
    fresher: false,
  },
  {
    name: 'different token, equal expiry: no churn',
    candidate: cred('new', valid.expiresAt),
    current: valid,
    fresher: false,
  },
  {
    name: 'different token, later expiry by 1 ms',
    candidate: cred('new', valid.expiresAt + 1),
    current: valid,
    fresher: true,
  },
  {
    name: 'different token, earlier expiry while stored is valid',
    candidate: cred('new', valid.expiresAt - 1),
    current: valid,
    fresher: false,
  },
  {
    name: 'clock skew, local clock 2 h fast: a token with 1 h left looks expired',
    candidate: cred('new', NOW + HOUR),
    current: null,
    now: NOW + 2 * HOUR,
    fresher: false,
  },
  {
    name: 'clock skew, local clock 2 h fast: the stored token looks expired, a later candidate wins',
    candidate: cred('new', NOW + 3 * HOUR),
    current: cred('current', NOW + HOUR),
    now: NOW + 2 * HOUR,
    fresher: true,
  },
  {
    name: 'clock skew, local clock 2 h slow: an expired stored token looks valid, only expiry decides',
    candidate: cred('new', NOW - 30 * MIN),
    current: cred('current', NOW - HOUR),
    now: NOW - 2 * HOUR,
    fresher: true,
  },
  {
    name: 'clock skew, local clock 2 h slow: an earlier candidate still loses',
    candidate: cred('new', NOW - 2 * HOUR + 2 * MARGIN),
    current: cred('current', NOW - HOUR),
    now: NOW - 2 * HOUR,
    fresher: false,
  },
];

describe('isCredentialFresher', () => {
  it.each(cases)('$name → $fresher', ({ candidate, current, now, fresher }) => {
    expect(isCredentialFresher(candidate, current, now ?? NOW)).toBe(fresher);
  });

  it('honours a custom margin', () => {
    const candidate = cred('new', NOW + 5 * MIN);
    expect(isCredentialFresher(candidate, null, NOW, 10 * MIN)).toBe(false);
    expect(isCredentialFresher(candidate, null, NOW, MIN)).toBe(true);
  });
});

describe('isCredentialBlank / isCredentialUsable', () => {
  it.each([
    { name: 'null', credential: null, blank: true, usable: false },
    { name: 'CLI blank', credential: cred('', 0, ''), blank: true, usable: false },
    { name: 'empty refresh only', credential: cred('x', NOW + HOUR, ''), blank: true, usable: false },
    { name: 'expired', credential: cred('x', NOW - 1), blank: false, usable: false },
    { name: 'valid', credential: cred('x', NOW + HOUR), blank: false, usable: true },
  ])('$name', ({ credential, blank, usable }) => {
    expect(isCredentialBlank(credential)).toBe(blank);
    expect(isCredentialUsable(credential, NOW)).toBe(usable);
  });
});

describe('decideCredentialWrite (the never-wipe, never-downgrade gate)', () => {
  it.each([
    {
      name: 'fresher over valid',
      candidate: cred('n', valid.expiresAt + HOUR),
      current: valid,
      action: 'write',
    },
    {
      name: 'anything usable over nothing',
      candidate: cred('n', NOW + HOUR),
      current: null,
      action: 'write',
    },
    {
      name: 'usable over blank',
      candidate: cred('n', NOW + HOUR),
      current: cred('', 0, ''),
      action: 'write',
    },
    {
      name: 'usable over expired',
      candidate: cred('n', NOW + HOUR),
      current: cred('c', NOW - HOUR),
      action: 'write',
    },
    { name: 'same token again', candidate: { ...valid }, current: valid, action: 'noop' },
    {
      name: 'same token, later expiry (rewrite)',
      candidate: { ...valid, expiresAt: valid.expiresAt + 1 },
      current: valid,
      action: 'noop',
    },
    {
      name: 'same token, earlier expiry',
      candidate: { ...valid, expiresAt: valid.expiresAt - 1 },
      current: valid,
      action: 'refuse',
      reason: 'earlier expiry',
    },
    {
      name: 'blank over valid',
      candidate: cred('', 0, ''),
      current: valid,
      action: 'refuse',
      reason: 'blank',
    },
    {
      name: 'blank over nothing',
      candidate: cred('', 0, ''),
      current: null,
      action: 'refuse',
      reason: 'blank',
    },
    {
      name: 'expired over valid',
      candidate: cred('n', NOW - 1),
      current: valid,
      action: 'refuse',
      reason: 'expired',
    },
    {
      name: 'expired over expired',
      candidate: cred('n', NOW - 1),
      current: cred('c', NOW - HOUR),
      action: 'refuse',
    },
    {
      name: 'older over valid',
      candidate: cred('n', valid.expiresAt - HOUR),
      current: valid,
      action: 'refuse',
      reason: 'expires later',
    },
    {
      name: 'equal expiry over valid',
      candidate: cred('n', valid.expiresAt),
      current: valid,
      action: 'refuse',
      reason: 'same time',
    },
  ] as const)('$name → $action', (row) => {
    const decision = decideCredentialWrite(row.candidate, row.current, NOW);
    expect(decision.action).toBe(row.action);
    if (decision.action === 'refuse') {
      if ('reason' in row) expect(decision.reason).toContain(row.reason);
      expect(decision.reason).not.toContain('sk-ant-');
    }
  });
});

describe('decideCredentialWrite after a rotation (replacesSpent)', () => {
  const stored = cred('old', NOW + 8 * HOUR);
  const rotated = cred('new', NOW + 8 * HOUR); // same millisecond: not "fresher" by expiry

  it('replaces the pair whose refresh token was just spent, even without a later expiry', () => {
    expect(decideCredentialWrite(rotated, stored, NOW).action).toBe('refuse');
    expect(
      decideCredentialWrite(rotated, stored, NOW, MARGIN, { replacesSpent: stored.refreshToken }).action,
    ).toBe('write');
    const earlier = cred('new', NOW + 7 * HOUR);
    expect(
      decideCredentialWrite(earlier, stored, NOW, MARGIN, { replacesSpent: stored.refreshToken }).action,
    ).toBe('write');
  });

  it('still protects a pair someone else wrote meanwhile (a different refresh token)', () => {
    const theirs = cred('theirs', NOW + 9 * HOUR);
    const decision = decideCredentialWrite(rotated, theirs, NOW, MARGIN, {
      replacesSpent: stored.refreshToken,
    });
    expect(decision.action).toBe('refuse');
  });

  it('never writes a blank candidate, spent or not', () => {
    const options = { replacesSpent: stored.refreshToken };
    expect(decideCredentialWrite(cred('', NOW + HOUR), stored, NOW, MARGIN, options).action).toBe('refuse');
    expect(decideCredentialWrite(cred('', NOW + HOUR), null, NOW, MARGIN, options).action).toBe('refuse');
    expect(decideCredentialWrite(cred('x', NOW + HOUR, ''), stored, NOW, MARGIN, options).action).toBe(
      'refuse',
    );
  });

  it('never writes an expired candidate that does not replace the spent pair', () => {
    expect(decideCredentialWrite(cred('late', NOW - HOUR), stored, NOW, MARGIN).action).toBe('refuse');
    expect(decideCredentialWrite(cred('late', NOW - HOUR), null, NOW, MARGIN).action).toBe('refuse');
  });

  // Issue 9 input 2: `expires_in: 30` was refused by the margin after the old refresh token was
  // spent, and the retry spent the dead token. The rotated pair holds the only live refresh token.
  it.each([
    ['30 s left (inside the 60 s margin)', NOW + 30_000],
    ['1 s left', NOW + 1_000],
    ['expiring now (expires_in: 0)', NOW],
    ['already past (a server clock behind ours)', NOW - HOUR],
  ])('keeps a short-lived rotated pair: %s', (_name, expiresAt) => {
    const options = { replacesSpent: stored.refreshToken };
    expect(decideCredentialWrite(cred('short', expiresAt), stored, NOW, MARGIN, options).action).toBe(
      'write',
    );
    // The entry vanished or was blanked meanwhile: the rotated pair is still the live login.
    expect(decideCredentialWrite(cred('short', expiresAt), null, NOW, MARGIN, options).action).toBe('write');
    const blanked = cred('', 0, '');
    expect(decideCredentialWrite(cred('short', expiresAt), blanked, NOW, MARGIN, options).action).toBe(
      'write',
    );
  });

  it('an empty replacesSpent protects nothing extra', () => {
    const decision = decideCredentialWrite(cred('short', NOW + 30_000), stored, NOW, MARGIN, {
      replacesSpent: '',
    });
    expect(decision.action).toBe('refuse');
  });
});
