/**
 * A real HTTP server on 127.0.0.1 that behaves like the two Anthropic endpoints oauth-recovery
 * cares about, so tests exercise real sockets, real fetch, real timeouts:
 *
 * - POST /v1/oauth/token: refresh_token grant with single-use rotating refresh tokens. Each
 *   success issues a new pair and kills the old one (old refresh → 400 invalid_grant, old
 *   access → "revoked" at the API), exactly the behaviour that makes two tools sharing one
 *   login revoke each other.
 * - POST /v1/messages: checks `authorization: Bearer <access>` or `x-api-key` and answers
 *   200, or 401 `authentication_error` (revoked / expired by the fake's clock / unknown).
 *
 * Controls let a test play the other side: `issueLogin()` (a fresh `claude` login),
 * `rotate()` (the Claude CLI refreshing behind our back), `revoke()`, latency, and
 * `failNext()` for injected failures. Nothing here prints a token.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
export const FAKE_SCOPES = 'user:inference user:profile user:sessions:claude_code';
const MAX_REQUEST_BYTES = 64 * 1024;

export interface FakeAnthropicOptions {
  /** Lifetime of issued access tokens. Default 28800 (8 h), like Anthropic's. */
  expiresInSeconds?: number;
  /** The fake's clock for access-token expiry. Default `Date.now`. */
  now?: () => number;
  /** Client id the token endpoint accepts. Default the Claude Code CLI's. */
  clientId?: string;
  /** Delay before every answer, ms. Default 0. */
  latencyMs?: number;
}

export interface IssuedLogin {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms by the fake's clock. */
  expiresAt: number;
}

/** One injected failure. Applied to the next request of `endpoint` (default the token endpoint). */
export interface InjectedFailure {
  endpoint?: 'token' | 'api';
  /** HTTP status to answer with. Default 500. */
  status?: number;
  /** Body text. Default a JSON error body matching the endpoint. */
  body?: string;
  /** Default `application/json` for the default body. */
  contentType?: string;
  /** Sent as the `Retry-After` header (seconds or an HTTP-date). */
  retryAfter?: number | string;
  /** Send the body in chunks without Content-Length (exercises streaming byte caps). */
  chunked?: boolean;
  /**
   * Wait this long before answering (`hangPhase: 'headers'`, default), or send the headers
   * and the first bytes of the body and then wait (`hangPhase: 'body'`). Ended early by close().
   */
  hangMs?: number;
  hangPhase?: 'headers' | 'body';
  /** Drop the connection: before any answer (`true`/`'before-response'`) or mid-body. */
  destroySocket?: boolean | 'before-response' | 'mid-body';
}

/** What the token endpoint saw, for assertions on our client's request. */
export interface ObservedTokenRequest {
  method: string;
  headers: Record<string, string | undefined>;
  /** Parsed JSON body, or undefined when it was not JSON. Test memory only; never printed. */
  body: unknown;
}

export type TokenState = 'valid' | 'revoked' | 'expired' | 'unknown';

export interface FakeAnthropic {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly apiUrl: string;
  /** Requests that reached the token endpoint, successful or not (injected failures included). */
  readonly tokenRequests: number;
  /** Requests that reached the messages endpoint. */
  readonly apiRequests: number;
  readonly tokenRequestLog: readonly ObservedTokenRequest[];
  /** Seeds a valid pair, like a fresh `claude` login. */
  issueLogin(): IssuedLogin;
  /** Rotates a live refresh token out of band (the CLI refreshing behind our back). Throws if dead. */
  rotate(refreshToken: string): IssuedLogin;
  /** Revokes exactly this token (access or refresh); its partner is untouched. */
  revoke(token: string): void;
  /** What the fake thinks of a token right now. */
  tokenState(token: string): TokenState;
  setLatency(ms: number): void;
  failNext(count: number, failure?: InjectedFailure): void;
  resetCounters(): void;
  close(): Promise<void>;
}

interface AccessRecord {
  expiresAt: number;
  revoked: boolean;
}

function randomToken(prefix: string): string {
  return `${prefix}${randomBytes(48).toString('base64url')}`;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function apiError(type: string, message: string): unknown {
  return { type: 'error', error: { type, message } };
}

async function readRequestBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const expiresInSeconds = options.expiresInSeconds ?? 28_800;
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? FAKE_CLIENT_ID;
  let latencyMs = options.latencyMs ?? 0;

  // Live refresh token → its access token. A refresh token leaves this map when used or revoked.
  const liveRefresh = new Map<string, string>();
  const access = new Map<string, AccessRecord>();
  const deadRefresh = new Set<string>();
  const failures: Record<'token' | 'api', InjectedFailure[]> = { token: [], api: [] };
  const timers = new Set<NodeJS.Timeout>();
  const tokenRequestLog: ObservedTokenRequest[] = [];
  let tokenRequests = 0;
  let apiRequests = 0;

  /** A timer that close() can cancel, so hanging answers never outlive the server. */
  const wait = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, ms);
          timers.add(timer);
        });

  const issuePair = (): IssuedLogin => {
    const accessToken = randomToken('sk-ant-oat01-');
    const refreshToken = randomToken('sk-ant-ort01-');
    const expiresAt = now() + expiresInSeconds * 1000;
    access.set(accessToken, { expiresAt, revoked: false });
    liveRefresh.set(refreshToken, accessToken);
    return { accessToken, refreshToken, expiresAt };
  };

  /** Single use: the old refresh token and its access token die, a new pair is born. */
  const rotatePair = (refreshToken: string): IssuedLogin | undefined => {
    const oldAccess = liveRefresh.get(refreshToken);
    if (oldAccess === undefined) return undefined;
    liveRefresh.delete(refreshToken);
    deadRefresh.add(refreshToken);
    const record = access.get(oldAccess);
    if (record !== undefined) record.revoked = true;
    return issuePair();
  };

  const tokenState = (token: string): TokenState => {
    if (liveRefresh.has(token)) return 'valid';
    if (deadRefresh.has(token)) return 'revoked';
    const record = access.get(token);
    if (record === undefined) return 'unknown';
    if (record.revoked) return 'revoked';
    return record.expiresAt <= now() ? 'expired' : 'valid';
  };

  /** Plays one injected failure on this request/response. */
  const playFailure = async (
    req: IncomingMessage,
    res: ServerResponse,
    failure: InjectedFailure,
    endpoint: 'token' | 'api',
  ): Promise<void> => {
    // Connection reset before any answer: the client sees a network error.
    if (failure.destroySocket === true || failure.destroySocket === 'before-response') {
      req.socket.destroy();
      return;
    }
    const hangPhase = failure.hangPhase ?? 'headers';
    // Slow or hanging endpoint: nothing is sent until the wait ends.
    if (failure.hangMs !== undefined && hangPhase === 'headers') await wait(failure.hangMs);
    if (res.destroyed) return;

    const status = failure.status ?? 500;
    const defaultBody =
      endpoint === 'token'
        ? JSON.stringify({ error: 'server_error', error_description: 'Internal server error' })
        : JSON.stringify(apiError('api_error', 'Internal server error'));
    const body = Buffer.from(failure.body ?? defaultBody, 'utf8');
    const headers: Record<string, string | number> = {
      'content-type': failure.contentType ?? 'application/json',
    };
    if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
    const streamed = failure.chunked === true || failure.destroySocket === 'mid-body' || hangPhase === 'body';
    if (!streamed) headers['content-length'] = body.length;
    res.writeHead(status, headers);

    if (!streamed) {
      res.end(body);
      return;
    }
    // Streamed answers: first a small piece, then (maybe) trouble, then the rest in 16 KiB chunks.
    const head = Math.min(body.length, 16);
    // Wait until the headers and the first bytes are on the wire, so the client sees an answer begin.
    await new Promise<void>((resolve) => res.write(body.subarray(0, head), () => resolve()));
    // Connection reset after the headers: the client sees an aborted body read.
    if (failure.destroySocket === 'mid-body') {
      res.socket?.destroy();
      return;
    }
    // Headers sent, body stalls: exercises timeouts that must cover the body read.
    if (failure.hangMs !== undefined && hangPhase === 'body') await wait(failure.hangMs);
    for (let offset = head; offset < body.length && !res.destroyed; offset += 16 * 1024) {
      const ok = res.write(body.subarray(offset, offset + 16 * 1024));
      if (!ok) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    }
    if (!res.destroyed) res.end();
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readRequestBody(req);
    let body: unknown;
    try {
      body = text === undefined ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    tokenRequestLog.push({
      method: req.method ?? '',
      headers: {
        'content-type': req.headers['content-type'],
        accept: req.headers.accept,
        'user-agent': req.headers['user-agent'],
      },
      body,
    });

    const failure = failures.token.shift();
    if (failure !== undefined) return playFailure(req, res, failure, 'token');

    if (req.method !== 'POST') {
      return sendJson(res, 405, { error: 'invalid_request', error_description: 'Method not allowed' });
    }
    if (text === undefined) {
      return sendJson(res, 413, { error: 'invalid_request', error_description: 'Request body too large' });
    }
    // Only JSON bodies, like the Claude Code CLI sends.
    const isJson = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
    if (!isJson || fields === undefined) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'Invalid request body' });
    }
    if (fields.grant_type !== 'refresh_token') {
      return sendJson(res, 400, {
        error: 'unsupported_grant_type',
        error_description: 'Unsupported grant type',
      });
    }
    if (fields.client_id !== clientId) {
      return sendJson(res, 401, {
        error: 'invalid_client',
        error_description: 'Client authentication failed',
      });
    }
    if (typeof fields.refresh_token !== 'string' || fields.refresh_token === '') {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'Missing refresh_token' });
    }
    // Used, revoked or never issued: the famous invalid_grant.
    const pair = rotatePair(fields.refresh_token);
    if (pair === undefined) {
      return sendJson(res, 400, {
        error: 'invalid_grant',
        error_description: 'Refresh token not found or invalid',
      });
    }
    return sendJson(res, 200, {
      token_type: 'Bearer',
      access_token: pair.accessToken,
      expires_in: expiresInSeconds,
      refresh_token: pair.refreshToken,
      scope: FAKE_SCOPES,
      organization: { uuid: randomUUID(), name: 'Fake Org' },
      account: { uuid: randomUUID(), email_address: 'agent@example.test' },
    });
  };

  const handleMessages = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readRequestBody(req);
    const failure = failures.api.shift();
    if (failure !== undefined) return playFailure(req, res, failure, 'api');

    if (req.method !== 'POST')
      return sendJson(res, 405, apiError('invalid_request_error', 'Method not allowed'));
    const authorization = req.headers.authorization;
    const bearer = authorization?.startsWith('Bearer ')
      ? authorization.slice('Bearer '.length).trim()
      : undefined;
    const apiKey = req.headers['x-api-key'];
    const token = bearer ?? (typeof apiKey === 'string' ? apiKey : undefined);
    if (token === undefined || token === '') {
      return sendJson(res, 401, apiError('authentication_error', 'x-api-key header is required'));
    }
    switch (tokenState(token)) {
      case 'revoked':
        return sendJson(
          res,
          401,
          apiError('authentication_error', 'OAuth token has been revoked. Please obtain a new token.'),
        );
      case 'expired':
        return sendJson(
          res,
          401,
          apiError(
            'authentication_error',
            'OAuth token has expired. Please obtain a new token or refresh your existing token.',
          ),
        );
      case 'unknown':
        return sendJson(res, 401, apiError('authentication_error', 'invalid x-api-key'));
      case 'valid':
        break;
    }
    // A refresh token is not an access token.
    if (liveRefresh.has(token))
      return sendJson(res, 401, apiError('authentication_error', 'invalid x-api-key'));
    let model = 'claude-sonnet-4-5';
    try {
      const parsed = JSON.parse(text ?? '') as { model?: unknown };
      if (typeof parsed.model === 'string') model = parsed.model;
    } catch {
      return sendJson(res, 400, apiError('invalid_request_error', 'Invalid JSON body'));
    }
    return sendJson(
      res,
      200,
      {
        id: `msg_fake_${randomBytes(8).toString('hex')}`,
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: 'pong' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      },
      { 'request-id': `req_fake_${randomBytes(8).toString('hex')}` },
    );
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route =
      path === '/v1/oauth/token' ? handleToken : path === '/v1/messages' ? handleMessages : undefined;
    if (route === handleToken) tokenRequests += 1;
    if (route === handleMessages) apiRequests += 1;
    void (async () => {
      await wait(latencyMs);
      if (route === undefined) return sendJson(res, 404, apiError('not_found_error', 'Not found'));
      return route(req, res);
    })().catch(() => {
      // A client that went away mid-answer is expected in failure tests.
      if (!res.destroyed) res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    tokenUrl: `${baseUrl}/v1/oauth/token`,
    apiUrl: `${baseUrl}/v1/messages`,
    get tokenRequests() {
      return tokenRequests;
    },
    get apiRequests() {
      return apiRequests;
    },
    tokenRequestLog,
    issueLogin: issuePair,
    rotate(refreshToken) {
      const pair = rotatePair(refreshToken);
      if (pair === undefined) throw new Error('fake-anthropic: rotate() needs a live refresh token');
      return pair;
    },
    revoke(token) {
      if (liveRefresh.delete(token)) deadRefresh.add(token);
      const record = access.get(token);
      if (record !== undefined) record.revoked = true;
    },
    tokenState,
    setLatency(ms) {
      latencyMs = ms;
    },
    failNext(count, failure = {}) {
      for (let i = 0; i < count; i += 1) failures[failure.endpoint ?? 'token'].push(failure);
    },
    resetCounters() {
      tokenRequests = 0;
      apiRequests = 0;
      tokenRequestLog.length = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
