/**
 * The demo's stand-in for Anthropic: a real HTTP server on 127.0.0.1 with the two endpoints
 * oauth-recovery talks to, just enough to tell the stories truthfully.
 *
 * - POST /v1/oauth/token: refresh_token grant; refresh tokens are single use (each success
 *   issues a new pair and kills the old one), a used or revoked one gets 400 invalid_grant.
 * - POST /v1/messages: 200 for a live access token, 401 `authentication_error` for a revoked,
 *   expired (by the demo clock) or unknown one.
 *
 * Tokens are random and shaped like Anthropic's; nothing here prints one.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoLogin {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms by the demo clock. */
  expiresAt: number;
}

export interface DemoAnthropic {
  readonly tokenUrl: string;
  readonly apiUrl: string;
  /** Requests that reached the token endpoint (successful or not). */
  readonly tokenRequests: number;
  /** A fresh `claude` login. */
  issueLogin(): DemoLogin;
  /** The Claude CLI refreshing behind our back: the old pair dies, a new one is born. */
  rotate(refreshToken: string): DemoLogin;
  /** Kills a token (access or refresh), e.g. a login revoked by the account owner. */
  revoke(token: string): void;
  close(): Promise<void>;
}

const EXPIRES_IN_SECONDS = 8 * 60 * 60;
const MAX_BODY_BYTES = 16 * 1024;

function randomToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  let text = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > MAX_BODY_BYTES) return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function authenticationError(message: string): unknown {
  return { type: 'error', error: { type: 'authentication_error', message } };
}

export async function startDemoAnthropic(options: { now: () => number }): Promise<DemoAnthropic> {
  const { now } = options;
  /** Live refresh token → its access token. */
  const liveRefresh = new Map<string, string>();
  /** Access token → expiry, while it lives. */
  const liveAccess = new Map<string, number>();
  const dead = new Set<string>();
  let tokenRequests = 0;

  const issue = (): DemoLogin => {
    const login = {
      accessToken: randomToken('sk-ant-oat01-'),
      refreshToken: randomToken('sk-ant-ort01-'),
      expiresAt: now() + EXPIRES_IN_SECONDS * 1000,
    };
    liveRefresh.set(login.refreshToken, login.accessToken);
    liveAccess.set(login.accessToken, login.expiresAt);
    return login;
  };

  const kill = (token: string): void => {
    const access = liveRefresh.get(token);
    if (access !== undefined) kill(access);
    liveRefresh.delete(token);
    liveAccess.delete(token);
    dead.add(token);
  };

  const rotate = (refreshToken: string): DemoLogin | undefined => {
    if (!liveRefresh.has(refreshToken)) return undefined;
    kill(refreshToken);
    return issue();
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    tokenRequests += 1;
    const body = await readJson(req);
    if (body?.grant_type !== 'refresh_token' || typeof body.refresh_token !== 'string') {
      return send(res, 400, { error: 'invalid_request', error_description: 'Invalid request body' });
    }
    const pair = rotate(body.refresh_token);
    if (!pair)
      return send(res, 400, {
        error: 'invalid_grant',
        error_description: 'Refresh token not found or invalid',
      });
    return send(res, 200, {
      token_type: 'Bearer',
      access_token: pair.accessToken,
      refresh_token: pair.refreshToken,
      expires_in: EXPIRES_IN_SECONDS,
      scope: 'user:inference user:profile',
    });
  };

  const handleMessages = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    await readJson(req);
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    const expiresAt = liveAccess.get(token);
    if (dead.has(token))
      return send(res, 401, authenticationError('OAuth token has been revoked. Please obtain a new token.'));
    if (expiresAt === undefined) return send(res, 401, authenticationError('invalid x-api-key'));
    if (expiresAt <= now()) return send(res, 401, authenticationError('OAuth token has expired.'));
    return send(res, 200, { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'pong' }] });
  };

  const server = createServer((req, res) => {
    const route =
      req.method !== 'POST'
        ? undefined
        : req.url === '/v1/oauth/token'
          ? handleToken
          : req.url === '/v1/messages'
            ? handleMessages
            : undefined;
    if (!route)
      return send(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'Not found' } });
    route(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    tokenUrl: `${base}/v1/oauth/token`,
    apiUrl: `${base}/v1/messages`,
    get tokenRequests() {
      return tokenRequests;
    },
    issueLogin: issue,
    rotate(refreshToken) {
      const pair = rotate(refreshToken);
      if (!pair) throw new Error('demo server: rotate() needs a live refresh token');
      return pair;
    },
    revoke: kill,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
