/**
 * The offline inspector for air-gapped hosts: a node:http server on loopback serving one
 * self-contained page (the machine's diagram, the live state highlighted, an event log), fed
 * by Server-Sent Events from sanitized inspection events. Nothing is fetched from anywhere.
 *
 *   const offline = await startOfflineInspector();
 *   const auth = createAuthRecovery({ inspect: offline.observer });
 *   console.log('open', offline.url);
 *
 * Routes: `GET /` the page, `GET /events` the SSE stream (`hello` with the live state and the
 * log so far, then one `update` per snapshot), `GET /state` the live state as JSON. Every
 * route needs the per-run access token `url` carries (`?token=`); streams are bounded per
 * client and in total, and a stream whose reader stopped reading is dropped.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AnyStateMachine, InspectionEvent } from 'xstate';
import { createRecoveryMachine } from '../../machines/index.js';
import { machineGraph } from '../graph/machine-graph.js';
import { hasAccessToken, resolveAccessToken, withAccessToken } from './access-token.js';
import { type ConnectionLimits, guardConnections } from './connection-guard.js';
import { PLAIN_TEXT, SECURITY_HEADERS, sendResponse } from './http-response.js';
import { createInspectionFeed, type FeedUpdate } from './inspection-feed.js';
import { assertBindAllowed, DEFAULT_INSPECTOR_HOST, httpUrl, isAllowedHostHeader } from './loopback.js';
import { renderOfflinePage } from './offline-page.js';
import type { SecretSource } from './sanitize.js';
import type { InspectOption } from './types.js';

/** Options of `startOfflineInspector`; every field is optional. */
export interface OfflineInspectorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default `127.0.0.1`. Anything else needs `allowNonLoopback`. */
  host?: string;
  /** Serve on a non-loopback address (and answer any Host header). Off by default. */
  allowNonLoopback?: boolean;
  /** The machine to draw. Default: the recovery machine. */
  machine?: AnyStateMachine;
  /** The page's title. Default `oauth-recovery · offline inspector`. */
  title?: string;
  /** Secrets to mask on top of token-shaped strings (the runtime passes its own already). */
  secrets?: SecretSource;
  /** Log entries kept for a page that connects later. Default 500. */
  logLimit?: number;
  /** Concurrent `/events` streams in total (same as `limits.maxStreams`). Default 16. */
  maxClients?: number;
  /** Stream limits (per client, total, idle timeout in ms). Defaults: 8, 16, 60 000. */
  limits?: ConnectionLimits;
  /** Unsent bytes one event stream may leave pending before it is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** The access token `url` carries. Default: 32 random bytes per run. @throws InspectorTokenError when shorter than 22 base64url characters. */
  token?: string;
}

/** A running offline inspector: a loopback page that draws the machine and shows live transitions. */
export interface OfflineInspector {
  /** The page with its access token, e.g. `http://127.0.0.1:41234/?token=…`. */
  url: string;
  /** The per-run access token every route requires (`?token=`). */
  token: string;
  /** Open event streams right now. */
  readonly streams: number;
  /** Pass as `createAuthRecovery({ inspect })` or `createActor(machine, { inspect })`. */
  observer: InspectOption;
  /** Ends every stream and stops listening. */
  close(): Promise<void>;
}

const KEEPALIVE_MS = 15_000;
const MAX_BUFFERED_BYTES = 1024 * 1024;

function sseMessage(event: string, data: unknown, id?: number): string {
  const idLine = id === undefined ? '' : `id: ${id}\n`;
  return `${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Starts the offline inspector for air-gapped hosts: an HTTP server (loopback by default) with
 * the machine's diagram, the live state and a sanitized event log, fed by `observer`; no
 * network beyond it. See docs/inspector.md.
 * @throws InspectorBindRefusedError for a non-loopback `host` without `allowNonLoopback`.
 * @throws InspectorTokenError for a `token` shorter than 22 base64url characters.
 */
export async function startOfflineInspector(
  options: OfflineInspectorOptions = {},
): Promise<OfflineInspector> {
  const host = options.host ?? DEFAULT_INSPECTOR_HOST;
  const allowNonLoopback = options.allowNonLoopback ?? false;
  assertBindAllowed(host, allowNonLoopback);
  const machine = options.machine ?? createRecoveryMachine();
  const graph = machineGraph(machine);
  const title = options.title ?? 'oauth-recovery · offline inspector';
  const token = resolveAccessToken(options.token);
  const maxBufferedBytes = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const feed = createInspectionFeed({ logLimit: options.logLimit, secrets: options.secrets });
  const clients = new Set<ServerResponse>();

  function write(client: ServerResponse, text: string): void {
    // A reader that stopped reading is dropped rather than buffered without bound.
    if (client.writableLength + Buffer.byteLength(text) > maxBufferedBytes) client.destroy();
    else client.write(text);
  }

  function broadcast(update: FeedUpdate): void {
    const message = sseMessage('update', update, update.entry?.seq);
    for (const client of clients) write(client, message);
  }

  function openStream(request: IncomingMessage, response: ServerResponse): void {
    let pendingSince: number | undefined;
    const slot = guard.admitStream(request, {
      // Idle: what we sent has sat unread for the whole timeout.
      isIdle(now, idleTimeoutMs) {
        if (response.writableLength === 0) pendingSince = undefined;
        else pendingSince ??= now;
        return pendingSince !== undefined && now - pendingSince >= idleTimeoutMs;
      },
      close: () => response.destroy(),
    });
    if ('refused' in slot) {
      const reason =
        slot.refused === 'client'
          ? 'too many inspector pages open from this client'
          : 'too many inspector pages open';
      sendResponse(response, 503, PLAIN_TEXT, `${reason}\n`, { 'retry-after': '5' });
      return;
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write(`retry: 2000\n\n${sseMessage('hello', { live: feed.live(), log: feed.log() })}`);
    clients.add(response);
    const keepalive = setInterval(() => write(response, ': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    const done = () => {
      clearInterval(keepalive);
      clients.delete(response);
      slot.release();
    };
    request.on('close', done);
    response.on('close', done);
  }

  function onRequest(request: IncomingMessage, response: ServerResponse): void {
    if (!isAllowedHostHeader(request.headers.host, allowNonLoopback)) {
      sendResponse(response, 403, PLAIN_TEXT, 'forbidden host\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendResponse(response, 405, PLAIN_TEXT, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    const path = (request.url ?? '/').split('?')[0];
    if (!hasAccessToken(request, token)) {
      sendResponse(response, 403, PLAIN_TEXT, 'open the URL with its ?token= as printed\n');
      return;
    }
    if (path === '/' || path === '/index.html') {
      const nonce = randomBytes(16).toString('base64');
      sendResponse(response, 200, 'text/html; charset=utf-8', renderOfflinePage({ title, graph, nonce }), {
        'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      });
      return;
    }
    if (path === '/events') {
      openStream(request, response);
      return;
    }
    if (path === '/state') {
      const body = JSON.stringify({ title, machine: graph.id, ...feed.live(), log: feed.log().slice(-50) });
      sendResponse(response, 200, 'application/json; charset=utf-8', `${body}\n`);
      return;
    }
    sendResponse(response, 404, PLAIN_TEXT, 'not found\n');
  }

  const server = createServer(onRequest);
  const guard = guardConnections(server, {
    ...options.limits,
    ...(options.maxClients !== undefined ? { maxStreams: options.maxClients } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed = false;

  return {
    url: withAccessToken(httpUrl(host, port), token),
    token,
    get streams() {
      return guard.streams;
    },
    observer: {
      next(event: InspectionEvent) {
        if (closed) return;
        const update = feed.observe(event);
        if (update) broadcast(update);
      },
    },
    async close() {
      if (closed) return;
      closed = true;
      guard.stop();
      for (const client of clients) client.end();
      clients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
