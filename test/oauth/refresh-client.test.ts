/**
 * The refresh client against a real HTTP server on loopback: real sockets, real fetch, real
 * timeouts. Every failure must come back as a RefreshError of the right kind, and no token
 * may appear anywhere in it (message, JSON, stack, cause chain).
 */
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InsecureTokenUrlError, RefreshError } from '../../src/errors.js';
import {
  createOAuthClient,
  DEFAULT_CLIENT_ID,
  DEFAULT_TOKEN_URL,
  type OAuthClientOptions,
} from '../../src/oauth/index.js';
import { type FakeAnthropic, type IssuedLogin, startFakeAnthropic } from '../support/fake-anthropic.js';

const NOW = 1_750_000_000_000;
let fake: FakeAnthropic;
/** Every token a test has seen; each error is scanned for all of them. */
let secrets: string[];

beforeEach(async () => {
  fake = await startFakeAnthropic({ now: () => NOW });
  secrets = [];
});
afterEach(async () => {
  await fake.close();
});

function login(): IssuedLogin {
  const issued = fake.issueLogin();
  secrets.push(issued.accessToken, issued.refreshToken);
  return issued;
}

function client(options: OAuthClientOptions = {}) {
  return createOAuthClient({ tokenUrl: fake.tokenUrl, now: () => NOW, ...options });
}

/** Every textual form an error can take on its way to a log, a terminal or `--json`. */
function renderings(err: unknown): string[] {
  const out = [String(err), JSON.stringify(err), inspect(err, { depth: 10, showHidden: true })];
  let current: unknown = err;
  for (let depth = 0; depth < 10 && current instanceof Error; depth += 1) {
    out.push(current.message, current.stack ?? '', JSON.stringify(current));
    current = current.cause;
  }
  if (current !== undefined) out.push(inspect(current, { depth: 10 }));
  return out;
}

function expectNoSecrets(err: unknown): void {
  for (const text of renderings(err)) {
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/sk-ant-o[ar]t01-[A-Za-z0-9_-]{8,}/);
  }
}

/** Runs a refresh that must fail; returns the RefreshError after the secret scan. */
async function refreshFailure(promise: Promise<unknown>): Promise<RefreshError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the refresh to fail');
    },
    (error: unknown) => error,
  );
  expect(err).toBeInstanceOf(RefreshError);
  expectNoSecrets(err);
  return err as RefreshError;
}

describe('refresh success', () => {
  it('rotates the pair, maps the answer, and the old refresh token is then invalid_grant', async () => {
    const issued = login();
    const oauth = client();
    const credential = await oauth.refresh(issued.refreshToken);
    secrets.push(credential.accessToken, credential.refreshToken);

    expect(credential.accessToken).toMatch(/^sk-ant-oat01-/);
    expect(credential.refreshToken).toMatch(/^sk-ant-ort01-/);
    expect(credential.accessToken).not.toBe(issued.accessToken);
    expect(credential.refreshToken).not.toBe(issued.refreshToken);
    expect(credential.expiresAt).toBe(NOW + 28_800_000);
    expect(credential.scopes).toEqual(['user:inference', 'user:profile', 'user:sessions:claude_code']);
    expect(fake.tokenState(credential.accessToken)).toBe('valid');
    expect(fake.tokenState(issued.accessToken)).toBe('revoked');

    const err = await refreshFailure(oauth.refresh(issued.refreshToken));
    expect(err.kind).toBe('permanent');
    expect(err.status).toBe(400);
    expect(err.oauthError).toBe('invalid_grant');
    expect(err.message).toContain('Refresh token not found or invalid');

    // The new pair keeps rotating.
    const next = await oauth.refresh(credential.refreshToken);
    secrets.push(next.accessToken, next.refreshToken);
    expect(next.refreshToken).not.toBe(credential.refreshToken);
    expect(fake.tokenRequests).toBe(3);
  });

  it('sends the documented JSON body and headers', async () => {
    const issued = login();
    await client().refresh(issued.refreshToken);
    const seen = fake.tokenRequestLog[0];
    expect(seen?.method).toBe('POST');
    expect(seen?.body).toEqual({
      grant_type: 'refresh_token',
      refresh_token: issued.refreshToken,
      client_id: DEFAULT_CLIENT_ID,
    });
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers.accept).toBe('application/json');
    expect(seen?.headers['user-agent']).toBe(`oauth-recovery/0.1.0 node/${process.version}`);
  });

  it('uses a custom client id and user agent', async () => {
    const custom = await startFakeAnthropic({ clientId: 'custom-client', expiresInSeconds: 60 });
    try {
      const issued = custom.issueLogin();
      secrets.push(issued.accessToken, issued.refreshToken);
      const oauth = createOAuthClient({
        tokenUrl: custom.tokenUrl,
        clientId: 'custom-client',
        userAgent: 'agent/1',
        now: () => NOW,
      });
      const credential = await oauth.refresh(issued.refreshToken);
      expect(credential.expiresAt).toBe(NOW + 60_000);
      expect(custom.tokenRequestLog[0]?.headers['user-agent']).toBe('agent/1');
    } finally {
      await custom.close();
    }
  });

  it('omits scopes when the server sends none', async () => {
    fake.failNext(1, {
      status: 200,
      body: JSON.stringify({
        access_token: 'a-token',
        refresh_token: 'r-token',
        expires_in: 1.5,
        token_type: 'Bearer',
      }),
    });
    const credential = await client().refresh('sk-ant-ort01-anything');
    expect(credential).toEqual({ accessToken: 'a-token', refreshToken: 'r-token', expiresAt: NOW + 1500 });
  });
});

describe('failure classification', () => {
  it.each([
    [400, 'invalid_request', 'transient'],
    [401, 'invalid_client', 'transient'],
    [403, 'forbidden', 'transient'],
    [408, 'timeout', 'transient'],
    [500, 'server_error', 'transient'],
    [503, 'temporarily_unavailable', 'transient'],
    [404, 'not_found', 'transient'],
  ] as const)('HTTP %i %s is %s', async (status, error, kind) => {
    const issued = login();
    fake.failNext(1, {
      status,
      body: JSON.stringify({ error, error_description: `echo ${issued.refreshToken}` }),
    });
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.oauthError).toBe(error);
    expect(err.message).toContain(`HTTP ${status} ${error}`);
    // The server echoed the token in its description: it is masked, the rest is kept.
    expect(err.message).toContain('echo ***');
  });

  it('400 invalid_grant from a real rotation race is permanent', async () => {
    const issued = login();
    const cli = fake.rotate(issued.refreshToken);
    secrets.push(cli.accessToken, cli.refreshToken);
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err).toMatchObject({ kind: 'permanent', status: 400, oauthError: 'invalid_grant' });
    expect(err.toJSON()).toMatchObject({
      code: 'REFRESH_FAILED',
      kind: 'permanent',
      oauthError: 'invalid_grant',
    });
  });

  it('401 invalid_client from a wrong client id is transient: the grant may be alive', async () => {
    const issued = login();
    const err = await refreshFailure(client({ clientId: 'not-the-cli' }).refresh(issued.refreshToken));
    expect(err).toMatchObject({ kind: 'transient', status: 401, oauthError: 'invalid_client' });
    expect(fake.tokenState(issued.refreshToken)).toBe('valid');
  });

  it('429 with Retry-After seconds is transient with retryAfterMs', async () => {
    const issued = login();
    fake.failNext(1, { status: 429, retryAfter: 30, body: JSON.stringify({ error: 'rate_limited' }) });
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err).toMatchObject({ kind: 'transient', status: 429, retryAfterMs: 30_000 });
  });

  it('429 with a Retry-After HTTP-date is measured against the injected clock', async () => {
    const issued = login();
    fake.failNext(1, { status: 429, retryAfter: new Date(NOW + 90_000).toUTCString() });
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err).toMatchObject({ kind: 'transient', status: 429, retryAfterMs: 90_000 });
  });

  it('an HTML 502 page from a proxy is transient and never quoted', async () => {
    const issued = login();
    const page = `<html><body><h1>502 Bad Gateway</h1><p>upstream said ${issued.refreshToken}</p></body></html>`;
    fake.failNext(1, { status: 502, body: page, contentType: 'text/html; charset=utf-8' });
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err.kind).toBe('transient');
    expect(err.status).toBe(502);
    expect(err.message).toBe(
      'token endpoint answered HTTP 502 with a body that is not JSON (content-type text/html)',
    );
    expect(renderings(err).join('\n')).not.toContain('Bad Gateway</h1>');
  });

  it('an HTML 200 page is transient', async () => {
    const issued = login();
    fake.failNext(1, { status: 200, body: '<!doctype html><title>Login</title>', contentType: 'text/html' });
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err.kind).toBe('transient');
    expect(err.message).toContain('not JSON (content-type text/html)');
    expect(err.cause).toBeUndefined();
  });

  it('a connection reset before the answer is a transient network error with a safe cause', async () => {
    const issued = login();
    fake.failNext(1, { destroySocket: true });
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err.kind).toBe('transient');
    expect(err.status).toBeUndefined();
    expect(err.message).toMatch(/network error/);
    expect(err.cause).toBeInstanceOf(Error);
    expect((err.cause as Error).name).toBe('TokenRequestFailure');
    expect((err.cause as Error).message).toMatch(/fetch failed/);
  });

  it('a connection reset mid-body is transient', async () => {
    const issued = login();
    fake.failNext(1, {
      status: 200,
      body: JSON.stringify({ access_token: 'x'.repeat(200) }),
      destroySocket: 'mid-body',
    });
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err).toMatchObject({ kind: 'transient', status: 200 });
    expect(err.message).toMatch(/connection broke while reading/);
  });

  it('a hanging endpoint ends in a transient timeout (the timeout is what ends the test)', async () => {
    const issued = login();
    fake.failNext(1, { hangMs: 60_000 });
    const started = performance.now();
    const err = await refreshFailure(client({ timeoutMs: 150 }).refresh(issued.refreshToken));
    expect(err.kind).toBe('transient');
    expect(err.message).toBe('token endpoint did not answer within 150 ms (timeout)');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(fake.tokenRequests).toBe(1);
  });

  it('a body that stalls after the headers also times out', async () => {
    const issued = login();
    fake.failNext(1, {
      status: 200,
      body: '{"access_token":"abcdefghijklmnop"}',
      hangMs: 60_000,
      hangPhase: 'body',
    });
    const err = await refreshFailure(client({ timeoutMs: 150 }).refresh(issued.refreshToken));
    expect(err).toMatchObject({ kind: 'transient', status: 200 });
    expect(err.message).toMatch(/did not finish its answer \(HTTP 200\) within 150 ms/);
  });

  it('a caller abort is transient and says so', async () => {
    const issued = login();
    fake.failNext(1, { hangMs: 60_000 });
    const controller = new AbortController();
    const pending = client().refresh(issued.refreshToken, controller.signal);
    setTimeout(() => controller.abort(), 20);
    const err = await refreshFailure(pending);
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/aborted by the caller/);
  });

  it('a blank refresh token is permanent and sends nothing', async () => {
    const err = await refreshFailure(client().refresh('  '));
    expect(err.kind).toBe('permanent');
    expect(fake.tokenRequests).toBe(0);
  });
});

describe('response size cap', () => {
  it('a declared oversize body is refused as transient', async () => {
    const issued = login();
    fake.failNext(1, { status: 200, body: 'x'.repeat(200 * 1024) });
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err).toMatchObject({ kind: 'transient', status: 200 });
    expect(err.message).toContain('response too large');
  });

  it('a chunked body is cut off once it passes the cap', async () => {
    const issued = login();
    fake.failNext(1, { status: 200, body: 'x'.repeat(1024 * 1024), chunked: true });
    const err = await refreshFailure(client({ maxResponseBytes: 4096 }).refresh(issued.refreshToken));
    expect(err).toMatchObject({ kind: 'transient', status: 200 });
    expect(err.message).toBe('token endpoint answer (HTTP 200) exceeded 4096 bytes: response too large');
  });

  it('an oversize 400 is transient: its body never said the grant is dead', async () => {
    const issued = login();
    fake.failNext(1, { status: 400, body: 'x'.repeat(100 * 1024), chunked: true });
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err).toMatchObject({ kind: 'transient', status: 400 });
    expect(err.message).toContain('response too large');
  });
});

describe('malformed 200 answers', () => {
  const valid = {
    access_token: 'sk-ant-oat01-fresh-access',
    refresh_token: 'sk-ant-ort01-fresh-refresh',
    expires_in: 28_800,
    token_type: 'Bearer',
  };

  it.each([
    ['missing access_token', { ...valid, access_token: undefined }, 'field "access_token" is missing'],
    ['empty access_token', { ...valid, access_token: '' }, 'field "access_token" is empty'],
    [
      'access_token as a number',
      { ...valid, access_token: 12345678901 },
      'field "access_token" is not a string',
    ],
    ['an array body', [valid], 'the body is not a JSON object'],
  ])('%s is a transient schema error naming the field', async (_name, body, problem) => {
    const issued = login();
    secrets.push(valid.access_token, valid.refresh_token);
    fake.failNext(1, { status: 200, body: JSON.stringify(body) });
    const err = await refreshFailure(client().refresh(issued.refreshToken));
    expect(err).toMatchObject({ kind: 'transient', status: 200 });
    expect(err.message).toContain(problem);
    expect(err.message).not.toContain('28800');
    expect(err.message).not.toContain('12345678901');
  });

  it('unknown fields are allowed', async () => {
    fake.failNext(1, { status: 200, body: JSON.stringify({ ...valid, account: { uuid: 'u' }, extra: 1 }) });
    const credential = await client().refresh('sk-ant-ort01-whatever');
    expect(credential.accessToken).toBe(valid.access_token);
  });
});

describe('token URL policy', () => {
  it('refuses plain http to a non-loopback host', () => {
    expect(() => createOAuthClient({ tokenUrl: 'http://example.com/v1/oauth/token' })).toThrow(
      InsecureTokenUrlError,
    );
  });

  it('accepts https without making a request', () => {
    let calls = 0;
    const oauth = createOAuthClient({
      tokenUrl: 'https://auth.example.test/v1/oauth/token',
      fetch: async () => {
        calls += 1;
        return new Response('{}');
      },
    });
    expect(oauth.tokenUrl).toBe('https://auth.example.test/v1/oauth/token');
    expect(calls).toBe(0);
    expect(createOAuthClient().tokenUrl).toBe(DEFAULT_TOKEN_URL);
  });

  it('refuses nonsense options', () => {
    expect(() => createOAuthClient({ timeoutMs: 0 })).toThrow(RangeError);
    expect(() => createOAuthClient({ maxResponseBytes: Number.NaN })).toThrow(RangeError);
  });
});

describe('injected fetch', () => {
  it('never follows redirects and treats them as transient', async () => {
    let init: RequestInit | undefined;
    const oauth = createOAuthClient({
      fetch: async (_url, requestInit) => {
        init = requestInit;
        return new Response(null, { status: 307, headers: { location: 'http://evil.example/' } });
      },
    });
    const err = await refreshFailure(oauth.refresh('sk-ant-ort01-redirected-token'));
    expect(init?.redirect).toBe('manual');
    expect(err).toMatchObject({ kind: 'transient', status: 307 });
  });

  it('rebuilds a thrown error that carries the request as a secret-free cause', async () => {
    const refreshToken = 'sk-ant-ort01-leaky-token-value';
    secrets.push(refreshToken);
    const oauth = createOAuthClient({
      fetch: async (_url, init) => {
        const inner = Object.assign(new Error(`socket closed while sending ${String(init.body)}`), {
          code: 'ECONNRESET',
          request: { body: init.body },
        });
        throw new TypeError('fetch failed', { cause: inner });
      },
    });
    const err = await refreshFailure(oauth.refresh(refreshToken));
    expect(err.kind).toBe('transient');
    expect((err.cause as Error & { code?: string }).code).toBe('ECONNRESET');
    expect((err.cause as Error).message).toMatch(
      /^TypeError: fetch failed <- Error ECONNRESET: socket closed/,
    );
  });
});
