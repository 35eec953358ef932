/**
 * Admitting a WebSocket viewer to the Stately relay: the access token, the page's own
 * `Origin` (a handshake without one is refused), a stream slot from the connection guard
 * (bounded per client and in total), then the handshake. An admitted viewer that goes quiet
 * is pinged at half the idle timeout and closed at the full timeout.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { hasAccessToken } from './access-token.js';
import type { ConnectionGuard } from './connection-guard.js';
import { isSameOriginRequest } from './loopback.js';
import { acceptWebSocket, type WebSocketPeer } from './websocket.js';

/** What `admitViewer` checks a handshake against, and where it reports a closed viewer. */
export interface ViewerAdmission {
  token: string;
  allowNonLoopback: boolean;
  guard: ConnectionGuard;
  maxBufferedBytes: number | undefined;
  onClose(viewer: WebSocketPeer): void;
}

function refuse(socket: Duplex, status: string): null {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  return null;
}

/** The viewer, or null after answering 403 (token, Origin), 503 (limits) or 400 (not a handshake). */
export function admitViewer(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  admission: ViewerAdmission,
): WebSocketPeer | null {
  if (
    !hasAccessToken(request, admission.token) ||
    !isSameOriginRequest(request.headers.origin, request.headers.host, admission.allowNonLoopback)
  ) {
    return refuse(socket, '403 Forbidden');
  }
  let viewer: WebSocketPeer | null = null;
  const slot = admission.guard.admitStream(request, {
    isIdle(now, idleTimeoutMs) {
      if (!viewer) return false;
      const quiet = now - viewer.lastSeen;
      if (quiet >= idleTimeoutMs) return true;
      if (quiet >= idleTimeoutMs / 2) viewer.ping();
      return false;
    },
    close: () => viewer?.close(),
  });
  if ('refused' in slot) return refuse(socket, '503 Service Unavailable');
  viewer = acceptWebSocket(request, socket, head, {
    ...(admission.maxBufferedBytes !== undefined ? { maxBufferedBytes: admission.maxBufferedBytes } : {}),
    onClose: (closed) => {
      slot.release();
      admission.onClose(closed);
    },
  });
  if (!viewer) slot.release();
  return viewer;
}
