/** The small pure pieces of the refresh client: status classification, Retry-After, masking. */
import { describe, expect, it } from 'vitest';
import { classifyTokenStatus, maskSecrets, parseRetryAfter } from '../../src/oauth/index.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('classifyTokenStatus', () => {
  it.each([
    [400, 'invalid_grant', 'permanent'],
    [401, 'invalid_grant', 'permanent'],
    [409, 'invalid_grant', 'permanent'],
    [500, 'invalid_grant', 'transient'],
    [400, undefined, 'transient'],
    [401, undefined, 'transient'],
    [403, undefined, 'transient'],
    [400, 'invalid_request', 'transient'],
    [401, 'invalid_client', 'transient'],
    [400, 'unauthorized_client', 'transient'],
    [400, 'unsupported_grant_type', 'transient'],
    [400, 'invalid_scope', 'transient'],
    [408, undefined, 'transient'],
    [429, undefined, 'transient'],
    [500, undefined, 'transient'],
    [502, undefined, 'transient'],
    [503, undefined, 'transient'],
    [404, undefined, 'transient'],
    [302, undefined, 'transient'],
  ] as const)('HTTP %i (%s) is %s', (status, oauthError, kind) => {
    expect(classifyTokenStatus(status, oauthError)).toBe(kind);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    [null, undefined],
    ['', undefined],
    ['0', 0],
    ['30', 30_000],
    [' 5 ', 5_000],
    ['Sun, 01 Jun 2025 12:01:00 GMT', 60_000],
    ['Sun, 01 Jun 2025 11:00:00 GMT', 0],
    ['1.5', undefined],
    ['-3', undefined],
    ['soon', undefined],
  ] as const)('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('maskSecrets', () => {
  it('masks token shapes and known secrets', () => {
    expect(maskSecrets('a sk-ant-oat01-abc_DEF-123 b', [])).toBe('a sk-ant-*** b');
    expect(maskSecrets('Authorization: Bearer abc.def', [])).toBe('Authorization: Bearer ***');
    expect(maskSecrets('known opaque-secret-value here', ['opaque-secret-value'])).toBe('known *** here');
    expect(maskSecrets('short ab stays', ['ab'])).toBe('short ab stays');
  });
});
