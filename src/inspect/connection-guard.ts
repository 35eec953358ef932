/**
 * Connection limits for the inspector servers, so neither idle sockets nor a pile of open
 * streams can lock the operator out:
 *
 * - long-lived streams (SSE `/events`, WebSocket viewers) are bounded per client (remote
 *   address) and in total; a refused stream gets 503 and is never queued;
 * - a socket with no request in progress for `idleTimeoutMs` (a slowloris, a browser's spare
 *   keep-alive socket, a port scan) is closed; when `maxIdleSockets` are open, the oldest idle
 *   one is closed to make room, so the operator's next request always gets in;
 * - each stream says when it is idle (a viewer that stopped reading or answering pings) and is
 *   closed on the next sweep.
 *
 * The sweep runs on `setInterval` and reads `Date.now()`, so tests drive it with fake timers.
 * On loopback every local client shares one address: the access token (access-token.ts) is
 * what keeps other local users out; these limits keep a token holder's stale tabs bounded.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/** Limits on an inspector server's connections (counts, and the idle timeout in ms). */
export interface ConnectionLimits {
  /** Open streams (event streams + viewers) in total. Default 16. */
  maxStreams?: number;
  /** Open streams from one remote address. Default 8. */
  maxStreamsPerClient?: number;
  /** A socket with nothing in progress, or a stream that reports itself idle, this long (ms) is closed. Default 60 000. */
  idleTimeoutMs?: number;
  /** Sockets with no stream open, beyond which the oldest idle one is closed. Default 64. */
  maxIdleSockets?: number;
}

interface SocketState {
  openedAt: number;
  lastActivity: number;
  inFlight: number;
  stream: boolean;
}

/** A claimed stream slot: `release()` when the stream ends. */
export interface StreamSlot {
  release(): void;
}

/** What `guardConnections` returns: stream admission, live counts, and `stop()`. */
export interface ConnectionGuard {
  /**
   * Claims a stream slot for `request`'s client, or says why not. `isIdle(now, idleTimeoutMs)`
   * is asked on every sweep; `close()` ends the stream when it answers true.
   */
  admitStream(
    request: IncomingMessage,
    stream: { isIdle(now: number, idleTimeoutMs: number): boolean; close(): void },
  ): StreamSlot | { refused: 'client' | 'total' };
  /** Open streams, in total. */
  readonly streams: number;
  /** Open sockets (streams included). */
  readonly sockets: number;
  readonly idleTimeoutMs: number;
  stop(): void;
}

/**
 * Tracks `server`'s sockets and streams and enforces `limits` (see the module comment). Call
 * `stop()` when the server closes (it clears the sweep timer).
 */
export function guardConnections(server: Server, limits: ConnectionLimits = {}): ConnectionGuard {
  const maxStreams = limits.maxStreams ?? 16;
  const maxPerClient = limits.maxStreamsPerClient ?? 8;
  const idleTimeoutMs = limits.idleTimeoutMs ?? 60_000;
  const maxIdleSockets = limits.maxIdleSockets ?? 64;
  const sockets = new Map<Socket, SocketState>();
  const streams = new Map<
    object,
    { client: string; isIdle: (now: number, idle: number) => boolean; close: () => void }
  >();

  function idleSockets(): Array<[Socket, SocketState]> {
    return [...sockets].filter(([, state]) => !state.stream && state.inFlight === 0);
  }

  server.on('connection', (socket: Socket) => {
    const now = Date.now();
    const idle = idleSockets();
    if (idle.length >= maxIdleSockets) {
      idle.sort((a, b) => a[1].lastActivity - b[1].lastActivity)[0]?.[0].destroy();
    }
    sockets.set(socket, { openedAt: now, lastActivity: now, inFlight: 0, stream: false });
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response) => {
    const state = sockets.get(request.socket);
    if (!state) return;
    state.inFlight += 1;
    state.lastActivity = Date.now();
    response.once('close', () => {
      state.inFlight = Math.max(0, state.inFlight - 1);
      state.lastActivity = Date.now();
    });
  });

  function sweep(): void {
    const now = Date.now();
    for (const [socket, state] of sockets) {
      if (!state.stream && state.inFlight === 0 && now - state.lastActivity >= idleTimeoutMs)
        socket.destroy();
    }
    for (const stream of [...streams.values()]) {
      if (stream.isIdle(now, idleTimeoutMs)) stream.close();
    }
  }
  const timer = setInterval(sweep, Math.max(250, Math.floor(idleTimeoutMs / 4)));
  timer.unref();

  return {
    admitStream(request, stream) {
      const client = request.socket.remoteAddress ?? 'unknown';
      if (streams.size >= maxStreams) return { refused: 'total' };
      let fromClient = 0;
      for (const open of streams.values()) if (open.client === client) fromClient += 1;
      if (fromClient >= maxPerClient) return { refused: 'client' };
      const key = {};
      streams.set(key, { client, isIdle: stream.isIdle, close: stream.close });
      const state = sockets.get(request.socket);
      if (state) state.stream = true;
      return {
        release() {
          streams.delete(key);
        },
      };
    },
    get streams() {
      return streams.size;
    },
    get sockets() {
      return sockets.size;
    },
    idleTimeoutMs,
    stop() {
      clearInterval(timer);
    },
  };
}
