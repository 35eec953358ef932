/**
 * The loopback stand-in for Anthropic (src/cli/demo/loopback-anthropic.ts: single-use rotating
 * refresh tokens, the Messages API's 401s), plus what tests need on top: injected failures
 * (`failNext`), latency, and a log of what the token endpoint saw. Real sockets, real fetch,
 * real timeouts. Nothing here prints a token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  apiError,
  LOOPBACK_CLIENT_ID,
  type LoopbackAnthropic,
  type LoopbackAnthropicOptions,
  startLoopbackAnthropic,
  type TokenState,
} from '../../src/cli/demo/loopback-anthropic.js';

export type { IssuedLogin, TokenState } from '../../src/cli/demo/loopback-anthropic.js';
export const FAKE_CLIENT_ID = LOOPBACK_CLIENT_ID;

export interface FakeAnthropicOptions extends Omit<LoopbackAnthropicOptions, 'intercept'> {
  /** Delay before every answer, ms. Default 0. */
  latencyMs?: number;
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
  /** Arrival time, epoch ms (wall clock). */
  at: number;
  /** What the server thought of the request's refresh token on arrival (undefined: none sent). */
  refreshTokenState: TokenState | undefined;
}

export interface FakeAnthropic extends LoopbackAnthropic {
  readonly tokenRequestLog: readonly ObservedTokenRequest[];
  /** Token requests (not injected failures) that sent a dead refresh token: answered invalid_grant. */
  readonly invalidGrants: number;
  setLatency(ms: number): void;
  failNext(count: number, failure?: InjectedFailure): void;
  /**
   * Runs `hook` once, when the next token request arrives and before it is answered (e.g. the
   * CLI's fresher login lands while our refresh is in flight). `undefined` clears it.
   */
  onNextTokenRequest(hook: (() => Promise<void> | void) | undefined): void;
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  let latencyMs = options.latencyMs ?? 0;
  const failures: Record<'token' | 'api', InjectedFailure[]> = { token: [], api: [] };
  const timers = new Set<NodeJS.Timeout>();
  const tokenRequestLog: ObservedTokenRequest[] = [];
  let invalidGrants = 0;
  let nextTokenHook: (() => Promise<void> | void) | undefined;

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

  const server = await startLoopbackAnthropic({
    ...options,
    async intercept({ endpoint, req, res, text }) {
      await wait(latencyMs);
      if (endpoint === 'token') {
        const hook = nextTokenHook;
        nextTokenHook = undefined;
        await hook?.();
        const sent = (parseJson(text) as { refresh_token?: unknown } | undefined)?.refresh_token;
        tokenRequestLog.push({
          at: Date.now(),
          refreshTokenState: typeof sent === 'string' ? server.tokenState(sent) : undefined,
          method: req.method ?? '',
          headers: {
            'content-type': req.headers['content-type'],
            accept: req.headers.accept,
            'user-agent': req.headers['user-agent'],
          },
          body: parseJson(text),
        });
      }
      const failure = failures[endpoint].shift();
      if (failure === undefined) {
        const refresh = (parseJson(text) as { refresh_token?: unknown } | undefined)?.refresh_token;
        if (endpoint === 'token' && typeof refresh === 'string' && server.tokenState(refresh) !== 'valid') {
          invalidGrants += 1;
        }
        return false;
      }
      await playFailure(req, res, failure, endpoint);
      return true;
    },
  });

  // The server's own getters stay live through the prototype. Our own getter must be defined
  // as a getter too: Object.assign (like spread) would copy its value once, and `invalidGrants`
  // read 0 for ever (it did, until the fleet host-crash figures exposed it).
  const own = {
    tokenRequestLog,
    get invalidGrants() {
      return invalidGrants;
    },
    setLatency(ms: number) {
      latencyMs = ms;
    },
    onNextTokenRequest(hook: (() => Promise<void> | void) | undefined) {
      nextTokenHook = hook;
    },
    failNext(count: number, failure: InjectedFailure = {}) {
      for (let i = 0; i < count; i += 1) failures[failure.endpoint ?? 'token'].push(failure);
    },
    resetCounters() {
      server.resetCounters();
      tokenRequestLog.length = 0;
      invalidGrants = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await server.close();
    },
  };
  return Object.defineProperties(
    Object.create(server) as LoopbackAnthropic,
    Object.getOwnPropertyDescriptors(own),
  ) as FakeAnthropic;
}
