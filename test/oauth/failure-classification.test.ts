/**
 * docs/failures.md's classification table, row by row, against the real loopback fake:
 * permanent only when a 4xx JSON body says the grant is dead (`invalid_grant`); every other
 * answer (client/request codes, HTML pages, 401/403/429/5xx, network, timeouts) is transient.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefreshError } from '../../src/errors.js';
import { createOAuthClient } from '../../src/oauth/index.js';
import { type FakeAnthropic, type InjectedFailure, startFakeAnthropic } from '../support/fake-anthropic.js';

const NOW = 1_750_000_000_000;
let fake: FakeAnthropic;

beforeEach(async () => {
  fake = await startFakeAnthropic({ now: () => NOW });
});
afterEach(async () => {
  await fake.close();
});

async function refreshError(options: { timeoutMs?: number; tokenUrl?: string } = {}): Promise<RefreshError> {
  const issued = fake.issueLogin();
  const client = createOAuthClient({ tokenUrl: fake.tokenUrl, now: () => NOW, ...options });
  const err = await client.refresh(issued.refreshToken).then(
    () => new Error('expected the refresh to fail'),
    (error: unknown) => error,
  );
  expect(err).toBeInstanceOf(RefreshError);
  return err as RefreshError;
}

const json = (body: unknown): Pick<InjectedFailure, 'body' | 'contentType'> => ({
  body: JSON.stringify(body),
  contentType: 'application/json',
});
const html = {
  body: '<!doctype html><title>Just a moment...</title>',
  contentType: 'text/html; charset=UTF-8',
};
const anthropicStyle = json({
  type: 'error',
  error: { type: 'invalid_request_error', message: 'Invalid request format' },
});

describe('classification table (docs/failures.md)', () => {
  it.each<[string, InjectedFailure, 'permanent' | 'transient', Partial<RefreshError>]>([
    [
      '400 JSON invalid_grant',
      { status: 400, ...json({ error: 'invalid_grant' }) },
      'permanent',
      { oauthError: 'invalid_grant' },
    ],
    [
      '401 JSON invalid_grant',
      { status: 401, ...json({ error: 'invalid_grant' }) },
      'permanent',
      { oauthError: 'invalid_grant' },
    ],
    [
      '403 JSON invalid_grant',
      { status: 403, ...json({ error: 'invalid_grant' }) },
      'permanent',
      { oauthError: 'invalid_grant' },
    ],
    [
      '400 JSON invalid_request',
      { status: 400, ...json({ error: 'invalid_request' }) },
      'transient',
      { oauthError: 'invalid_request' },
    ],
    [
      '401 JSON invalid_client',
      { status: 401, ...json({ error: 'invalid_client' }) },
      'transient',
      { oauthError: 'invalid_client' },
    ],
    [
      '400 JSON unauthorized_client',
      { status: 400, ...json({ error: 'unauthorized_client' }) },
      'transient',
      {},
    ],
    [
      '400 JSON unsupported_grant_type',
      { status: 400, ...json({ error: 'unsupported_grant_type' }) },
      'transient',
      {},
    ],
    ['400 JSON invalid_scope', { status: 400, ...json({ error: 'invalid_scope' }) }, 'transient', {}],
    [
      '400 JSON in the API error shape',
      { status: 400, ...anthropicStyle },
      'transient',
      { oauthError: undefined },
    ],
    ['400 HTML', { status: 400, ...html }, 'transient', { contentType: 'text/html' }],
    ['401 HTML', { status: 401, ...html }, 'transient', { contentType: 'text/html' }],
    ['403 HTML (proxy/CDN challenge)', { status: 403, ...html }, 'transient', { contentType: 'text/html' }],
    ['403 JSON without an OAuth code', { status: 403, ...json({ message: 'forbidden' }) }, 'transient', {}],
    [
      '403 empty body',
      { status: 403, body: '', contentType: 'text/plain' },
      'transient',
      { contentType: 'text/plain' },
    ],
    ['404 JSON', { status: 404, ...json({ error: 'not_found' }) }, 'transient', {}],
    ['408 JSON', { status: 408, ...json({ error: 'timeout' }) }, 'transient', {}],
    [
      '429 JSON + Retry-After 30',
      { status: 429, retryAfter: 30, ...json({ error: 'rate_limited' }) },
      'transient',
      { retryAfterMs: 30_000 },
    ],
    ['429 HTML', { status: 429, ...html }, 'transient', {}],
    ['500 JSON server_error', { status: 500, ...json({ error: 'server_error' }) }, 'transient', {}],
    [
      '500 JSON invalid_grant (a server fault says nothing)',
      { status: 500, ...json({ error: 'invalid_grant' }) },
      'transient',
      {},
    ],
    ['502 HTML', { status: 502, ...html }, 'transient', { contentType: 'text/html' }],
    [
      '503 JSON + Retry-After',
      { status: 503, retryAfter: 120, ...json({ error: 'temporarily_unavailable' }) },
      'transient',
      { retryAfterMs: 120_000 },
    ],
    ['200 HTML', { status: 200, ...html }, 'transient', { contentType: 'text/html' }],
    ['200 JSON without access_token', { status: 200, ...json({ token_type: 'Bearer' }) }, 'transient', {}],
    ['connection reset', { destroySocket: true }, 'transient', { httpStatus: undefined }],
  ])('%s → %s', async (_row, failure, kind, details) => {
    fake.failNext(1, failure);
    const err = await refreshError();
    expect(err.kind).toBe(kind);
    if (failure.status !== undefined) expect(err.httpStatus).toBe(failure.status);
    expect(err).toMatchObject(details);
    if (failure.status !== undefined && failure.status !== 200) {
      expect(err.message).toContain(`HTTP ${failure.status}`);
    }
  });

  it('a non-JSON answer names its status and content type', async () => {
    fake.failNext(1, { status: 403, ...html });
    const err = await refreshError();
    expect(err.message).toBe(
      'token endpoint answered HTTP 403 with a body that is not JSON (content-type text/html)',
    );
  });

  it('a timeout is transient with causeCode timeout', async () => {
    fake.failNext(1, { hangMs: 60_000 });
    const err = await refreshError({ timeoutMs: 100 });
    expect(err).toMatchObject({ kind: 'transient', causeCode: 'timeout' });
  });

  it('a refused connection is transient with its errno', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const err = await refreshError({ tokenUrl: `http://127.0.0.1:${port}/v1/oauth/token` });
    expect(err).toMatchObject({ kind: 'transient', causeCode: 'ECONNREFUSED' });
  });

  it('a real rotation race (the token was spent elsewhere) is permanent', async () => {
    const issued = fake.issueLogin();
    fake.rotate(issued.refreshToken);
    const err = await createOAuthClient({ tokenUrl: fake.tokenUrl })
      .refresh(issued.refreshToken)
      .catch((error: unknown) => error as RefreshError);
    expect(err).toMatchObject({ kind: 'permanent', httpStatus: 400, oauthError: 'invalid_grant' });
  });
});
