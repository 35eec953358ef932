/**
 * The online inspector: the Stately inspector UI (https://stately.ai/inspect) fed with our
 * machine's sanitized inspection events.
 *
 *   const stately = connectStatelyInspector();
 *   const auth = createAuthRecovery({ inspect: stately.inspect });
 *   console.log('open', await stately.ready);
 *
 * `@statelyai/inspect`'s `createWebSocketInspector` is a WebSocket *client*: it serialises
 * events with the library's own converter and sends them to a relay. We run that relay here,
 * on loopback (the library's `createInspectorServer` listens on every interface, relays any
 * client's messages to every other client and opens a browser through a shell): the inspector
 * client connects to a per-process secret path, browsers connect to `/viewer` and receive the
 * frames, and `GET /` serves a bridge page that embeds the Stately UI and forwards them.
 *
 * Access: the page and the viewer need the per-run access token that `url` carries
 * (`?token=`), and a viewer must come from the page's own origin (a WebSocket with no
 * `Origin` is refused). Viewers are bounded per client and in total, dropped when they stop
 * reading (unsent data capped) or answering pings (idle), and a ping flood drops its sender.
 *
 * Every event is sanitized here, even if the runtime already did it, so an actor wired to
 * this inspector directly cannot leak either.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { createWebSocketInspector } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import { createDeferred } from '../deferred.js';
import { importOptional } from '../optional-dependency.js';
import { hasAccessToken, resolveAccessToken, withAccessToken } from './access-token.js';
import { type ConnectionLimits, guardConnections } from './connection-guard.js';
import { createFrameReplay } from './frame-replay.js';
import { PLAIN_TEXT, sendResponse } from './http-response.js';
import { assertBindAllowed, DEFAULT_INSPECTOR_HOST, httpUrl, isAllowedHostHeader } from './loopback.js';
import { type SecretSource, sanitizeInspectionEvent } from './sanitize.js';
import { DEFAULT_STATELY_INSPECTOR_URL, statelyBridgePage } from './stately-bridge-page.js';
import type { InspectOption } from './types.js';
import { admitViewer } from './viewer-upgrade.js';
import { acceptWebSocket, type WebSocketPeer } from './websocket.js';

/** Options of `connectStatelyInspector`; every field is optional. */
export interface StatelyInspectorOptions {
  /** Port of the loopback relay and bridge page. Default 0: a free port (read `url` after `ready`). */
  port?: number;
  /** Default `127.0.0.1`. Anything else needs `allowNonLoopback`. */
  host?: string;
  /** Listen on a non-loopback `host` (and answer any Host header). Off by default. */
  allowNonLoopback?: boolean;
  /** Start the relay now (default), or later with `start()`; events are buffered until then. */
  autoStart?: boolean;
  /** The Stately inspector UI the bridge page embeds. Default https://stately.ai/inspect. */
  inspectorUrl?: string;
  /** Secrets to mask on top of token-shaped strings (the runtime passes its own already). */
  secrets?: SecretSource;
  /** Frames kept for viewers that connect later (actor definitions are always kept). Default 200. */
  replayLimit?: number;
  /** The access token `url` carries. Default: 32 random bytes per run. @throws InspectorTokenError when shorter than 22 base64url characters. */
  token?: string;
  /** Viewer limits (per client, total, idle timeout in ms). Defaults: 8, 16, 60 000. */
  limits?: ConnectionLimits;
  /** Unsent bytes one viewer may leave pending before it is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
}

/** What the relay holds right now, for monitoring and tests. */
export interface StatelyRelayStats {
  /** Connected viewers. */
  viewers: number;
  /** Bytes written to viewers and not yet read by them, summed over viewers. */
  bufferedBytes: number;
}

/** A connected Stately inspector: the observer to pass to the runtime and the page to open. */
export interface StatelyInspector {
  /** Pass as `createAuthRecovery({ inspect })` or `createActor(machine, { inspect })`. */
  inspect: InspectOption;
  /** The bridge page to open in a browser, with its access token (`http://127.0.0.1:PORT/?token=…`); set once the relay listens. */
  readonly url: string | undefined;
  /** The viewer WebSocket (`ws://…/viewer?token=…`); a client must also send the page's `Origin`. */
  readonly viewerUrl: string | undefined;
  /** The per-run access token in `url` and `viewerUrl`. */
  readonly token: string;
  /** Viewers and their unsent bytes right now. */
  stats(): StatelyRelayStats;
  /** Resolves with `url` once the relay listens and the inspector client is connected to it; rejects if it cannot listen (e.g. port in use). */
  readonly ready: Promise<string>;
  /** Starts the relay when `autoStart: false` was given; returns `ready`. */
  start(): Promise<string>;
  /** Closes the inspector client, every viewer and the relay. */
  stop(): Promise<void>;
}

const MAX_BUFFERED_EVENTS = 200;
const MAX_PRODUCER_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Feeds the Stately inspector UI (https://stately.ai/inspect) with sanitized inspection events
 * through a loopback relay and bridge page; returns at once, `ready` resolves with the page URL.
 * Needs the optional peer `@statelyai/inspect`, loaded on `start()`: without it `ready` rejects
 * with `MissingDependencyError`. See docs/inspector.md.
 * @throws InspectorBindRefusedError for a non-loopback `host` without `allowNonLoopback`.
 */
export function connectStatelyInspector(options: StatelyInspectorOptions = {}): StatelyInspector {
  const host = options.host ?? DEFAULT_INSPECTOR_HOST;
  const allowNonLoopback = options.allowNonLoopback ?? false;
  assertBindAllowed(host, allowNonLoopback);
  const inspectorUrl = options.inspectorUrl ?? DEFAULT_STATELY_INSPECTOR_URL;
  const inspectorProtocol = new URL(inspectorUrl).protocol;
  if (inspectorProtocol !== 'https:' && inspectorProtocol !== 'http:') {
    throw new TypeError(`inspectorUrl must be an http(s) URL, got ${inspectorProtocol}`);
  }
  const replayLimit = options.replayLimit ?? 200;
  const secrets = options.secrets ?? [];
  const producerPath = `/producer/${randomBytes(18).toString('base64url')}`;
  const token = resolveAccessToken(options.token);

  const viewers = new Set<WebSocketPeer>();
  const producers = new Set<WebSocketPeer>();
  const replay = createFrameReplay(replayLimit);
  let client: ReturnType<typeof createWebSocketInspector> | undefined;
  const early: InspectionEvent[] = [];
  let url: string | undefined;
  let viewerUrl: string | undefined;
  let stopped = false;

  function relay(frame: string): void {
    if (!replay.record(frame)) return; // not one of the inspector's frames
    for (const viewer of viewers) viewer.send(frame);
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (request.url ?? '/').split('?')[0];
    if (!isAllowedHostHeader(request.headers.host, allowNonLoopback)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (path === producerPath && request.headers.origin === undefined) {
      const peer = acceptWebSocket(request, socket, head, {
        maxMessageBytes: MAX_PRODUCER_MESSAGE_BYTES,
        onMessage: relay,
        onClose: (closed) => producers.delete(closed),
      });
      if (!peer) return;
      producers.add(peer);
      producerConnected();
      return;
    }
    if (path === '/viewer') {
      const viewer = admitViewer(request, socket, head, {
        token,
        allowNonLoopback,
        guard,
        maxBufferedBytes: options.maxBufferedBytes,
        onClose: (closed) => viewers.delete(closed),
      });
      if (!viewer) return;
      viewers.add(viewer);
      for (const frame of replay.frames()) viewer.send(frame);
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  }

  function onRequest(request: IncomingMessage, response: ServerResponse): void {
    if (!isAllowedHostHeader(request.headers.host, allowNonLoopback)) {
      sendResponse(response, 403, PLAIN_TEXT, 'forbidden host\n');
      return;
    }
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/') {
      sendResponse(response, 404, PLAIN_TEXT, 'not found\n');
      return;
    }
    if (!hasAccessToken(request, token)) {
      sendResponse(response, 403, PLAIN_TEXT, 'open the URL with its ?token= as printed\n');
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    const origin = new URL(inspectorUrl).origin;
    sendResponse(response, 200, 'text/html; charset=utf-8', statelyBridgePage({ inspectorUrl, nonce }), {
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self' ws: wss:; frame-src ${origin}; base-uri 'none'; form-action 'none'`,
    });
  }

  const server = createServer(onRequest);
  const guard = guardConnections(server, options.limits);
  server.on('upgrade', onUpgrade);

  // Reported through `ready`; never an unhandled rejection.
  const {
    promise: ready,
    resolve: resolveReady,
    reject: rejectReady,
  } = createDeferred<string>({ quiet: true });
  let started = false;
  /** Resolves once the inspector client is connected to the relay (so `stop()` never races it). */
  let producerConnected: () => void = () => undefined;

  function start(): Promise<string> {
    if (stopped) return Promise.reject(new Error('the Stately inspector was stopped'));
    if (started) return ready;
    started = true;
    // The optional peer is loaded only now; a missing one rejects `ready` with MissingDependencyError.
    importOptional<typeof import('@statelyai/inspect')>('@statelyai/inspect', 'the Stately inspector').then(
      (stately) => (stopped ? rejectReady(new Error('the Stately inspector was stopped')) : listen(stately)),
      rejectReady,
    );
    return ready;
  }

  function listen({ createWebSocketInspector }: typeof import('@statelyai/inspect')): void {
    server.once('error', rejectReady);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', rejectReady);
      const { port } = server.address() as AddressInfo;
      const listeningUrl = httpUrl(host, port);
      producerConnected = () => {
        url = withAccessToken(listeningUrl, token);
        viewerUrl = withAccessToken(`${listeningUrl.replace(/^http/, 'ws')}viewer`, token);
        resolveReady(url);
      };
      client = createWebSocketInspector({
        url: `${listeningUrl.replace(/^http/, 'ws').replace(/\/$/, '')}${producerPath}`,
        maxDeferredEvents: MAX_BUFFERED_EVENTS,
      });
      for (const event of early.splice(0)) client.inspect.next?.(event);
    });
  }

  if (options.autoStart !== false) void start();

  return {
    inspect: {
      next(event: InspectionEvent) {
        if (stopped) return;
        const safe = sanitizeInspectionEvent(event, secrets);
        if (client) client.inspect.next?.(safe);
        else {
          early.push(safe);
          if (early.length > MAX_BUFFERED_EVENTS) early.shift();
        }
      },
    },
    get url() {
      return url;
    },
    get viewerUrl() {
      return viewerUrl;
    },
    token,
    stats() {
      let bufferedBytes = 0;
      for (const viewer of viewers) bufferedBytes += viewer.bufferedBytes;
      return { viewers: viewers.size, bufferedBytes };
    },
    ready,
    start,
    async stop() {
      if (stopped) return;
      stopped = true;
      early.length = 0;
      // A client stopped mid-handshake would retry forever: let it connect (or fail) first.
      if (started) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise((resolve) => {
          timer = setTimeout(resolve, 2_000);
        });
        await Promise.race([ready.catch(() => undefined), timeout]);
        clearTimeout(timer);
      }
      // Events already handed to the client are serialised on the next timer tick: let them out.
      await new Promise((resolve) => setTimeout(resolve, 0));
      client?.stop();
      guard.stop();
      for (const peer of [...viewers, ...producers]) peer.close();
      await new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
