/**
 * A stand-in for Anthropic on 127.0.0.1: a real HTTP server with the two endpoints
 * oauth-recovery talks to, shared by the demo and the test suites (which add fault injection
 * through `intercept`).
 *
 * - POST /v1/oauth/token: the refresh_token grant with single-use rotating refresh tokens (JSON
 *   bodies, the Claude Code CLI's client id). Each success issues a new pair and kills the old one
 *   (old refresh → 400 invalid_grant, old access → "revoked" at the API), exactly what makes two
 *   tools sharing one login revoke each other.
 * - POST /v1/messages: `authorization: Bearer <access>` or `x-api-key`; 200, or 401
 *   `authentication_error` (revoked / expired by `now` / unknown).
 *
 * Tokens are random and shaped like Anthropic's; nothing here prints one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenLedger, type IssuedLogin, type TokenState } from './loopback-token-ledger.js';

export type { IssuedLogin, TokenState } from './loopback-token-ledger.js';

/** The Claude Code CLI's OAuth client id, the one the token endpoint accepts by default. */
export const LOOPBACK_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
/** The `scope` string of every successful token answer. */
export const LOOPBACK_SCOPES = 'user:inference user:profile user:sessions:claude_code';
const MAX_REQUEST_BYTES = 64 * 1024;

/** A request to one of the two endpoints, handed to `intercept` after its body was read. */
export interface InterceptedRequest {
  endpoint: 'token' | 'api';
  req: IncomingMessage;
  res: ServerResponse;
  /** The body as UTF-8 text; undefined when it exceeded 64 KiB. */
  text: string | undefined;
}

export interface LoopbackAnthropicOptions {
  /** Lifetime of issued access tokens, seconds. Default 28800 (8 h), like Anthropic's. */
  expiresInSeconds?: number;
  /** The server's clock for access-token expiry, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Client id the token endpoint accepts. Default the Claude Code CLI's. */
  clientId?: string;
  /** Runs before the normal answer; resolve true when it answered the request itself. */
  intercept?: (request: InterceptedRequest) => Promise<boolean>;
}

/**
 * How 200 answers look (tests of odd but legal endpoints). `rotate: false`: the refresh token
 * stays live and the answer has no `refresh_token` (RFC 6749 §6). `fields` are merged into the
 * JSON answer (`undefined` removes one), e.g. `{ expires_in: 1e13 }`.
 */
export interface TokenAnswerShape {
  rotate?: boolean;
  fields?: Record<string, unknown>;
}

/** The running server and the controls that play "the other side" of a shared login. */
export interface LoopbackAnthropic {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly apiUrl: string;
  /** Requests that reached the token endpoint since start or `resetCounters()`, successful or not. */
  readonly tokenRequests: number;
  /** Requests that reached the messages endpoint since start or `resetCounters()`. */
  readonly apiRequests: number;
  /** Seeds a valid pair, like a fresh `claude` login. */
  issueLogin(): IssuedLogin;
  /** Rotates a live refresh token out of band (the CLI refreshing behind our back). @throws Error if it is dead. */
  rotate(refreshToken: string): IssuedLogin;
  /** Revokes exactly this token (access or refresh); its partner is untouched. */
  revoke(token: string): void;
  tokenState(token: string): TokenState;
  /** Shapes the 200 answers from now on; `{}` restores the default (rotating, 8 h). */
  setTokenAnswer(shape: TokenAnswerShape): void;
  resetCounters(): void;
  close(): Promise<void>;
}

/** Answers with a JSON body and its length. */
export function sendJson(
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

/** The Messages API's error body. */
export function apiError(type: string, message: string): unknown {
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

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const AUTH_MESSAGES: Record<Exclude<TokenState, 'valid'>, string> = {
  revoked: 'OAuth token has been revoked. Please obtain a new token.',
  expired: 'OAuth token has expired. Please obtain a new token or refresh your existing token.',
  unknown: 'invalid x-api-key',
};

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startLoopbackAnthropic(
  options: LoopbackAnthropicOptions = {},
): Promise<LoopbackAnthropic> {
  const expiresInSeconds = options.expiresInSeconds ?? 28_800;
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? LOOPBACK_CLIENT_ID;
  const tokens = createTokenLedger(expiresInSeconds, now);
  let tokenRequests = 0;
  let apiRequests = 0;
  let answerShape: TokenAnswerShape = {};

  const answerToken = (req: IncomingMessage, res: ServerResponse, text: string | undefined) => {
    const invalid = (error: string, description: string, status = 400) =>
      sendJson(res, status, { error, error_description: description });
    if (req.method !== 'POST') return invalid('invalid_request', 'Method not allowed', 405);
    if (text === undefined) return invalid('invalid_request', 'Request body too large', 413);
    // Only JSON bodies, like the Claude Code CLI sends.
    const isJson = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
    const fields = parseObject(text);
    if (!isJson || fields === undefined) return invalid('invalid_request', 'Invalid request body');
    if (fields.grant_type !== 'refresh_token')
      return invalid('unsupported_grant_type', 'Unsupported grant type');
    if (fields.client_id !== clientId) return invalid('invalid_client', 'Client authentication failed', 401);
    if (typeof fields.refresh_token !== 'string' || fields.refresh_token === '') {
      return invalid('invalid_request', 'Missing refresh_token');
    }
    // Used, revoked or never issued: the famous invalid_grant.
    const rotate = answerShape.rotate !== false;
    const pair = tokens.rotate(fields.refresh_token, rotate);
    if (pair === undefined) return invalid('invalid_grant', 'Refresh token not found or invalid');
    sendJson(res, 200, {
      token_type: 'Bearer',
      access_token: pair.accessToken,
      expires_in: expiresInSeconds,
      ...(rotate ? { refresh_token: pair.refreshToken } : {}),
      scope: LOOPBACK_SCOPES,
      organization: { uuid: randomUUID(), name: 'Fake Org' },
      account: { uuid: randomUUID(), email_address: 'agent@example.test' },
      ...answerShape.fields,
    });
  };

  const answerMessages = (req: IncomingMessage, res: ServerResponse, text: string | undefined) => {
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
    const state = tokens.state(token);
    // A refresh token is not an access token.
    if (state !== 'valid' || tokens.isLiveRefreshToken(token)) {
      return sendJson(
        res,
        401,
        apiError('authentication_error', AUTH_MESSAGES[state === 'valid' ? 'unknown' : state]),
      );
    }
    const body = parseObject(text ?? '');
    if (body === undefined) return sendJson(res, 400, apiError('invalid_request_error', 'Invalid JSON body'));
    sendJson(
      res,
      200,
      {
        id: `msg_fake_${randomBytes(8).toString('hex')}`,
        type: 'message',
        role: 'assistant',
        model: typeof body.model === 'string' ? body.model : 'claude-sonnet-4-5',
        content: [{ type: 'text', text: 'pong' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      },
      { 'request-id': `req_fake_${randomBytes(8).toString('hex')}` },
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const endpoint = path === '/v1/oauth/token' ? 'token' : path === '/v1/messages' ? 'api' : undefined;
    if (endpoint === undefined) return sendJson(res, 404, apiError('not_found_error', 'Not found'));
    if (endpoint === 'token') tokenRequests += 1;
    else apiRequests += 1;
    const text = await readRequestBody(req);
    if (options.intercept !== undefined && (await options.intercept({ endpoint, req, res, text }))) return;
    if (endpoint === 'token') answerToken(req, res, text);
    else answerMessages(req, res, text);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
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
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

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
    issueLogin: () => tokens.issue(),
    rotate(refreshToken) {
      const pair = tokens.rotate(refreshToken);
      if (pair === undefined) throw new Error('loopback Anthropic: rotate() needs a live refresh token');
      return pair;
    },
    revoke: tokens.revoke,
    tokenState: tokens.state,
    setTokenAnswer(shape) {
      answerShape = shape;
    },
    resetCounters() {
      tokenRequests = 0;
      apiRequests = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
