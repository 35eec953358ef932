/**
 * Accept what the server sent that is usable (issue 9 input 1, issue 11 item 5): a 200 is the
 * live login from the moment it is sent, so only a missing `access_token` may refuse it.
 * Against the real loopback fake.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TOKEN_LIFETIME_MS,
  MAX_REFRESH_TOKEN_LIFETIME_MS,
  MAX_TOKEN_LIFETIME_MS,
} from '../../src/credentials/expiry-bounds.js';
import { createOAuthClient } from '../../src/oauth/index.js';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.js';

const NOW = 1_750_000_000_000;
const HOUR = 3_600_000;
let fake: FakeAnthropic;

beforeEach(async () => {
  fake = await startFakeAnthropic({ now: () => NOW });
});
afterEach(async () => {
  await fake.close();
});

function client() {
  return createOAuthClient({ tokenUrl: fake.tokenUrl, now: () => NOW });
}

describe('a 200 without refresh_token (RFC 6749 §6: not rotated)', () => {
  it('keeps the old refresh token, which the server still honours, and takes the new access token', async () => {
    const issued = fake.issueLogin();
    fake.setTokenAnswer({ rotate: false });
    const credential = await client().refresh(issued.refreshToken);
    expect(credential.refreshToken).toBe(issued.refreshToken);
    expect(credential.accessToken).not.toBe(issued.accessToken);
    expect(fake.tokenState(credential.accessToken)).toBe('valid');
    expect(fake.tokenState(issued.refreshToken)).toBe('valid');
    expect(credential.expiresAt).toBe(NOW + 8 * HOUR);
    expect(credential.scopes).toContain('user:inference');
    // And it can be used again: the kept token is a working refresh token.
    const again = await client().refresh(credential.refreshToken);
    expect(fake.tokenState(again.accessToken)).toBe('valid');
  });

  it.each([
    ['empty', ''],
    ['a number', 12345],
    ['null', null],
  ])('a refresh_token that is %s is read as "not rotated"', async (_name, value) => {
    const issued = fake.issueLogin();
    fake.setTokenAnswer({ rotate: false, fields: { refresh_token: value } });
    const credential = await client().refresh(issued.refreshToken);
    expect(credential.refreshToken).toBe(issued.refreshToken);
    expect(fake.tokenState(credential.accessToken)).toBe('valid');
  });
});

describe('odd optional fields are ignored, not fatal', () => {
  it.each([
    ['token_type as a number', { token_type: 42 }],
    ['token_type missing', { token_type: undefined }],
    ['scope as an array', { scope: ['user:inference'] }],
    ['unknown nested fields', { account: { uuid: null }, extra: [1, 2, 3] }],
  ])('%s: the rotated pair is accepted', async (_name, fields) => {
    const issued = fake.issueLogin();
    fake.setTokenAnswer({ fields });
    const credential = await client().refresh(issued.refreshToken);
    expect(fake.tokenState(credential.accessToken)).toBe('valid');
    expect(fake.tokenState(credential.refreshToken)).toBe('valid');
    expect(fake.tokenState(issued.refreshToken)).toBe('revoked');
  });
});

describe('expires_in at the boundary (issue 11 item 5)', () => {
  it.each([
    ['1e13 s is clamped to the longest believable lifetime', 1e13, NOW + MAX_TOKEN_LIFETIME_MS],
    ['1e308 s is clamped too', 1e308, NOW + MAX_TOKEN_LIFETIME_MS],
    ['a numeric string is read', '28800', NOW + 8 * HOUR],
    ['missing gives the default lifetime', undefined, NOW + DEFAULT_TOKEN_LIFETIME_MS],
    ['zero gives the default lifetime', 0, NOW + DEFAULT_TOKEN_LIFETIME_MS],
    ['negative gives the default lifetime', -5, NOW + DEFAULT_TOKEN_LIFETIME_MS],
    ['a word gives the default lifetime', 'forever', NOW + DEFAULT_TOKEN_LIFETIME_MS],
  ])('%s', async (_name, expiresIn, expiresAt) => {
    const issued = fake.issueLogin();
    fake.setTokenAnswer({ fields: { expires_in: expiresIn } });
    const credential = await client().refresh(issued.refreshToken);
    expect(credential.expiresAt).toBe(expiresAt);
    expect(new Date(credential.expiresAt).toISOString()).toMatch(/^\d{4}-/);
  });
});

describe('refresh_token_expires_in: the refresh token’s own lifetime', () => {
  it.each([
    ['30 days in seconds', 30 * 24 * 3600, NOW + 30 * 24 * HOUR],
    ['a numeric string is read', '86400', NOW + 24 * HOUR],
    [
      '1e13 s is clamped to the longest believable refresh-token lifetime',
      1e13,
      NOW + MAX_REFRESH_TOKEN_LIFETIME_MS,
    ],
    ['missing: none', undefined, undefined],
    ['zero: none', 0, undefined],
    ['negative: none', -5, undefined],
    ['a word: none', 'forever', undefined],
  ])('%s', async (_name, lifetime, refreshTokenExpiresAt) => {
    const issued = fake.issueLogin();
    fake.setTokenAnswer({ fields: { refresh_token_expires_in: lifetime } });
    const credential = await client().refresh(issued.refreshToken);
    expect(credential.refreshTokenExpiresAt).toBe(refreshTokenExpiresAt);
    // An odd value never costs the rotated pair.
    expect(fake.tokenState(credential.refreshToken)).toBe('valid');
    expect(credential.expiresAt).toBe(NOW + 8 * HOUR);
  });
});
