/**
 * RefreshError's detail fields (httpStatus, oauthError, contentType, causeCode), set by the
 * refresh client against the real loopback fake and real sockets. These are what `status`,
 * `doctor` and the warn log show an operator, so each kind of failure must fill them in.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RefreshError } from '../../src/errors.js';
import { createOAuthClient } from '../../src/oauth/index.js';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.js';

let fake: FakeAnthropic;

beforeEach(async () => {
  fake = await startFakeAnthropic();
});
afterEach(async () => {
  await fake.close();
});

async function failure(promise: Promise<unknown>): Promise<RefreshError> {
  const err = await promise.then(
    () => new Error('expected the refresh to fail'),
    (error: unknown) => error,
  );
  expect(err).toBeInstanceOf(RefreshError);
  return err as RefreshError;
}

/** A loopback port that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('RefreshError details', () => {
  it('a JSON 400 invalid_grant carries status, OAuth code and content type', async () => {
    const issued = fake.issueLogin();
    fake.rotate(issued.refreshToken);
    const err = await failure(createOAuthClient({ tokenUrl: fake.tokenUrl }).refresh(issued.refreshToken));
    expect(err).toMatchObject({
      httpStatus: 400,
      status: 400,
      oauthError: 'invalid_grant',
      contentType: 'application/json',
      causeCode: undefined,
    });
    expect(err.toJSON()).toMatchObject({
      httpStatus: 400,
      oauthError: 'invalid_grant',
      contentType: 'application/json',
    });
  });

  it('an HTML answer carries its content type and no OAuth code', async () => {
    const issued = fake.issueLogin();
    fake.failNext(1, { status: 503, body: '<html>busy</html>', contentType: 'text/html; charset=utf-8' });
    const err = await failure(createOAuthClient({ tokenUrl: fake.tokenUrl }).refresh(issued.refreshToken));
    expect(err).toMatchObject({ httpStatus: 503, contentType: 'text/html', oauthError: undefined });
  });

  it('a malformed 200 names its content type', async () => {
    const issued = fake.issueLogin();
    fake.failNext(1, {
      status: 200,
      body: JSON.stringify({ token_type: 'Bearer' }),
      contentType: 'application/json',
    });
    const err = await failure(createOAuthClient({ tokenUrl: fake.tokenUrl }).refresh(issued.refreshToken));
    expect(err).toMatchObject({ httpStatus: 200, contentType: 'application/json' });
  });

  it('a refused connection carries ECONNREFUSED and no status', async () => {
    const port = await closedPort();
    const oauth = createOAuthClient({ tokenUrl: `http://127.0.0.1:${port}/v1/oauth/token` });
    const err = await failure(oauth.refresh('sk-ant-ort01-nobody-listens'));
    expect(err).toMatchObject({ kind: 'transient', httpStatus: undefined, causeCode: 'ECONNREFUSED' });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('a dropped connection carries the socket error code', async () => {
    const issued = fake.issueLogin();
    fake.failNext(1, { destroySocket: true });
    const err = await failure(createOAuthClient({ tokenUrl: fake.tokenUrl }).refresh(issued.refreshToken));
    expect(err.causeCode).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
  });

  it('a hanging endpoint carries causeCode timeout', async () => {
    const issued = fake.issueLogin();
    fake.failNext(1, { hangMs: 60_000 });
    const oauth = createOAuthClient({ tokenUrl: fake.tokenUrl, timeoutMs: 100 });
    const err = await failure(oauth.refresh(issued.refreshToken));
    expect(err).toMatchObject({ causeCode: 'timeout', httpStatus: undefined });
  });

  it('a body stalling after the headers keeps status and content type with causeCode timeout', async () => {
    const issued = fake.issueLogin();
    fake.failNext(1, { status: 200, body: '{"access_token":"abcdefgh"}', hangMs: 60_000, hangPhase: 'body' });
    const oauth = createOAuthClient({ tokenUrl: fake.tokenUrl, timeoutMs: 100 });
    const err = await failure(oauth.refresh(issued.refreshToken));
    expect(err).toMatchObject({ causeCode: 'timeout', httpStatus: 200, contentType: 'application/json' });
  });

  it('a caller abort carries causeCode aborted', async () => {
    const issued = fake.issueLogin();
    fake.failNext(1, { hangMs: 60_000 });
    const controller = new AbortController();
    const pending = createOAuthClient({ tokenUrl: fake.tokenUrl }).refresh(
      issued.refreshToken,
      controller.signal,
    );
    controller.abort();
    const err = await failure(pending);
    expect(err.causeCode).toBe('aborted');
  });

  it('an oversize answer carries causeCode too_large', async () => {
    const issued = fake.issueLogin();
    fake.failNext(1, { status: 200, body: 'x'.repeat(8192), chunked: true });
    const oauth = createOAuthClient({ tokenUrl: fake.tokenUrl, maxResponseBytes: 1024 });
    const err = await failure(oauth.refresh(issued.refreshToken));
    expect(err).toMatchObject({ causeCode: 'too_large', httpStatus: 200 });
  });
});
