/**
 * The fake must behave like Anthropic where recovery depends on it (single-use rotation,
 * revocation, API 401 bodies), or every test built on it proves nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_CLIENT_ID, type FakeAnthropic, startFakeAnthropic } from './fake-anthropic.js';

let clock = 1_700_000_000_000;
let fake: FakeAnthropic;

beforeEach(async () => {
  clock = 1_700_000_000_000;
  fake = await startFakeAnthropic({ now: () => clock });
});
afterEach(async () => {
  await fake.close();
});

async function postToken(body: unknown, contentType = 'application/json'): Promise<Response> {
  return fetch(fake.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function refreshBody(refreshToken: string): unknown {
  return { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: FAKE_CLIENT_ID };
}

async function callApi(token: string, header: 'bearer' | 'x-api-key' = 'bearer'): Promise<Response> {
  const auth: Record<string, string> =
    header === 'bearer' ? { authorization: `Bearer ${token}` } : { 'x-api-key': token };
  return fetch(fake.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ model: 'claude-test', max_tokens: 1, messages: [] }),
  });
}

describe('fake Anthropic token endpoint', () => {
  it('listens on loopback and issues sk-ant- shaped tokens', () => {
    expect(fake.tokenUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/oauth\/token$/);
    const login = fake.issueLogin();
    expect(login.accessToken).toMatch(/^sk-ant-oat01-[A-Za-z0-9_-]{20,}$/);
    expect(login.refreshToken).toMatch(/^sk-ant-ort01-[A-Za-z0-9_-]{20,}$/);
    expect(login.expiresAt).toBe(clock + 28_800_000);
  });

  it('rotates single-use refresh tokens and kills the old pair', async () => {
    const login = fake.issueLogin();
    const first = await postToken(refreshBody(login.refreshToken));
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as Record<string, unknown>;
    expect(rotated).toMatchObject({ token_type: 'Bearer', expires_in: 28_800 });
    expect(rotated.access_token).not.toBe(login.accessToken);
    expect(rotated.refresh_token).not.toBe(login.refreshToken);

    const reuse = await postToken(refreshBody(login.refreshToken));
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Refresh token not found or invalid',
    });
    expect(fake.tokenState(login.accessToken)).toBe('revoked');
    expect(fake.tokenState(String(rotated.access_token))).toBe('valid');
    expect(fake.tokenRequests).toBe(2);
  });

  it('rotate() plays the CLI refreshing behind our back', async () => {
    const login = fake.issueLogin();
    const cli = fake.rotate(login.refreshToken);
    expect((await postToken(refreshBody(login.refreshToken))).status).toBe(400);
    expect((await postToken(refreshBody(cli.refreshToken))).status).toBe(200);
    expect(() => fake.rotate(login.refreshToken)).toThrow(/live refresh token/);
  });

  it('revoke() kills exactly one token', async () => {
    const login = fake.issueLogin();
    fake.revoke(login.accessToken);
    expect(fake.tokenState(login.accessToken)).toBe('revoked');
    expect(fake.tokenState(login.refreshToken)).toBe('valid');
    fake.revoke(login.refreshToken);
    expect((await postToken(refreshBody(login.refreshToken))).status).toBe(400);
  });

  it.each([
    ['not JSON', 'grant_type=refresh_token', 'application/x-www-form-urlencoded', 400, 'invalid_request'],
    [
      'wrong grant',
      { grant_type: 'password', client_id: FAKE_CLIENT_ID },
      'application/json',
      400,
      'unsupported_grant_type',
    ],
    [
      'wrong client',
      { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'nope' },
      'application/json',
      401,
      'invalid_client',
    ],
    [
      'no refresh token',
      { grant_type: 'refresh_token', client_id: FAKE_CLIENT_ID },
      'application/json',
      400,
      'invalid_request',
    ],
  ])('validates the request: %s', async (_name, body, contentType, status, error) => {
    const response = await postToken(body, contentType);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error });
  });

  it('records what it saw and resets counters', async () => {
    const login = fake.issueLogin();
    await postToken(refreshBody(login.refreshToken));
    expect(fake.tokenRequestLog[0]?.body).toEqual(refreshBody(login.refreshToken));
    fake.resetCounters();
    expect(fake.tokenRequests).toBe(0);
    expect(fake.tokenRequestLog).toHaveLength(0);
  });

  it('counts every request that sent a dead refresh token (invalidGrants stays live)', async () => {
    const login = fake.issueLogin();
    expect((await postToken(refreshBody(login.refreshToken))).status).toBe(200);
    expect(fake.invalidGrants).toBe(0);
    expect((await postToken(refreshBody(login.refreshToken))).status).toBe(400);
    expect((await postToken(refreshBody('sk-ant-ort01-never-issued'))).status).toBe(400);
    expect(fake.invalidGrants).toBe(2);
    fake.resetCounters();
    expect(fake.invalidGrants).toBe(0);
  });
});

describe('fake Anthropic failure injection', () => {
  it('answers injected failures in order, then behaves normally', async () => {
    const login = fake.issueLogin();
    fake.failNext(1, { status: 429, retryAfter: 7 });
    fake.failNext(1, { status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' });
    const limited = await postToken(refreshBody(login.refreshToken));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    const html = await postToken(refreshBody(login.refreshToken));
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(await html.text()).toContain('Bad gateway');
    expect((await postToken(refreshBody(login.refreshToken))).status).toBe(200);
    expect(fake.tokenRequests).toBe(3);
  });

  it('resets the connection on destroySocket', async () => {
    fake.failNext(1, { destroySocket: true });
    await expect(postToken(refreshBody('x'))).rejects.toThrow(/fetch failed/);
  });

  it('streams chunked bodies without content-length', async () => {
    fake.failNext(1, { status: 200, body: 'y'.repeat(100_000), chunked: true });
    const response = await postToken(refreshBody('x'));
    expect(response.headers.get('content-length')).toBeNull();
    expect((await response.text()).length).toBe(100_000);
  });

  it('applies latency and api-endpoint failures', async () => {
    const login = fake.issueLogin();
    fake.setLatency(30);
    fake.failNext(1, { endpoint: 'api', status: 529 });
    const started = performance.now();
    expect((await callApi(login.accessToken)).status).toBe(529);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    fake.setLatency(0);
    expect((await callApi(login.accessToken)).status).toBe(200);
  });
});

describe('fake Anthropic messages endpoint', () => {
  it('accepts a valid access token by bearer or x-api-key', async () => {
    const login = fake.issueLogin();
    for (const header of ['bearer', 'x-api-key'] as const) {
      const response = await callApi(login.accessToken, header);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ type: 'message', model: 'claude-test' });
    }
    expect(fake.apiRequests).toBe(2);
  });

  it('answers 401 revoked for an access token whose pair was rotated', async () => {
    const login = fake.issueLogin();
    fake.rotate(login.refreshToken);
    const response = await callApi(login.accessToken);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      type: 'error',
      error: {
        type: 'authentication_error',
        message: 'OAuth token has been revoked. Please obtain a new token.',
      },
    });
  });

  it('answers 401 expired once the fake clock passes expiry', async () => {
    const login = fake.issueLogin();
    clock = login.expiresAt;
    const response = await callApi(login.accessToken);
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('authentication_error');
    expect(body.error.message).toMatch(/^OAuth token has expired/);
  });

  it('answers 401 for unknown, missing and refresh tokens', async () => {
    const login = fake.issueLogin();
    expect((await callApi('sk-ant-oat01-unknown')).status).toBe(401);
    expect((await callApi(login.refreshToken)).status).toBe(401);
    const missing = await fetch(fake.apiUrl, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
  });
});
