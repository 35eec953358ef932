/**
 * `withAuth` decides "refresh and retry" versus "rethrow" with isAuthRejection, so both
 * directions matter: every shape an Anthropic auth error takes must be recognised, and
 * ordinary failures (rate limits, overload, bad requests) must not be.
 */
import { describe, expect, it } from 'vitest';
import { CooldownError, RefreshError } from '../../src/errors.js';
import { describeAuthRejection, isAuthRejection } from '../../src/oauth/index.js';

const REVOKED = 'OAuth token has been revoked. Please obtain a new token.';
const EXPIRED = 'OAuth token has expired. Please obtain a new token or refresh your existing token.';
const revokedBody = { type: 'error', error: { type: 'authentication_error', message: REVOKED } };

/** Mimics the Anthropic SDK's APIError: `status`, `error` (the body), message `401 {json}`. */
function sdkError(status: number, body: unknown): Error {
  return Object.assign(new Error(`${status} ${JSON.stringify(body)}`), { status, error: body });
}

const rejections: Array<[string, unknown]> = [
  ['status 401', { status: 401 }],
  ['status 403', { status: 403 }],
  ['statusCode 401 (node http style)', Object.assign(new Error('Unauthorized'), { statusCode: 401 })],
  ['response.status 401 (axios style)', { message: 'Request failed', response: { status: 401 } }],
  ['SDK APIError revoked', sdkError(401, revokedBody)],
  ['body object with status missing', { error: revokedBody }],
  ['bare body', revokedBody],
  ['response.data body', { response: { data: revokedBody } }],
  ['body as JSON string', { body: JSON.stringify(revokedBody) }],
  ['JSON inside a message', new Error(`request failed: ${JSON.stringify(revokedBody)} (retry later)`)],
  ['message: revoked', new Error(REVOKED)],
  ['message: expired', new Error(EXPIRED)],
  ['message: authentication_error', new Error('API error authentication_error')],
  ['plain string message', 'OAuth token has been revoked'],
  ['wrapped in a cause', new Error('agent step failed', { cause: sdkError(401, revokedBody) })],
  ['expired body', { error: { type: 'error', error: { type: 'authentication_error', message: EXPIRED } } }],
];

const notRejections: Array<[string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 401],
  ['plain Error', new Error('socket hang up')],
  ['status 429', sdkError(429, { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } })],
  [
    'status 529 overloaded',
    sdkError(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
  ],
  ['status 400', sdkError(400, { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } })],
  ['status as a string', { status: '401' }],
  [
    'other error type in body',
    { error: { type: 'error', error: { type: 'permission_error', message: 'x' } } },
  ],
  ['unparseable JSON in message', new Error('oops {not json')],
  ['our own RefreshError (token endpoint 401)', new RefreshError('permanent', 'HTTP 401', { status: 401 })],
  ['our own CooldownError', new CooldownError('anthropic:claude-cli', 0)],
];

describe('isAuthRejection', () => {
  it.each(rejections)('recognises %s', (_name, err) => {
    expect(isAuthRejection(err)).toBe(true);
  });

  it.each(notRejections)('ignores %s', (_name, err) => {
    expect(isAuthRejection(err)).toBe(false);
  });

  it('survives a cause cycle', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isAuthRejection(a)).toBe(false);
  });
});

describe('describeAuthRejection', () => {
  it.each([
    ['SDK error', sdkError(401, revokedBody), { status: 401, message: REVOKED }],
    [
      'wrapped SDK error',
      new Error('step failed', { cause: sdkError(403, revokedBody) }),
      { status: 403, message: REVOKED },
    ],
    ['message only', new Error(EXPIRED), { message: EXPIRED }],
    ['status only', { status: 401 }, { status: 401, message: 'authentication rejected' }],
    ['nothing useful', {}, { message: 'unknown error' }],
    [
      'token in the message',
      new Error('401 Unauthorized for key sk-ant-oat01-AbC_123-xyz and Bearer sk-ant-ort01-secret'),
      { message: '401 Unauthorized for key sk-ant-*** and Bearer ***' },
    ],
  ])('%s', (_name, err, expected) => {
    expect(describeAuthRejection(err)).toEqual(expected);
  });

  it('keeps the message short and on one line', () => {
    const { message } = describeAuthRejection(new Error(`line one\nline two ${'x'.repeat(500)}`));
    expect(message.length).toBeLessThanOrEqual(200);
    expect(message).not.toContain('\n');
  });
});
