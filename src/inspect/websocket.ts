/**
 * The smallest WebSocket server side the Stately bridge needs (RFC 6455): the handshake,
 * unmasked text frames out, masked text frames in (assembled from fragments), close and ping.
 * Kept here rather than adding a WebSocket server package: the relay is tiny, stays on
 * loopback, and every peer passes our own Host/Origin/token checks before the handshake.
 * A peer cannot make us hold memory: unsent data is capped per peer (past it the peer is
 * dropped, whether our frames or our pongs piled up), ping/pong frames are rate-limited
 * (a ping flood drops the peer), and inbound messages are capped.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
/** Default cap on one inbound message: viewers only send control frames. */
const MAX_INBOUND_BYTES = 64 * 1024;
/** Default cap on unsent bytes per peer: a peer that stops reading is dropped, not buffered. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** Default control-frame budget (ping/pong): a burst, refilled at a steady rate per second. */
const CONTROL_FRAME_BURST = 32;
const CONTROL_FRAMES_PER_SECOND = 8;
/** RFC 6455 §5.5: control frames carry at most 125 bytes and are never fragmented. */
const MAX_CONTROL_PAYLOAD = 125;

export interface WebSocketFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export interface WebSocketPeer {
  readonly closed: boolean;
  /** Bytes written to the socket and not yet sent to the peer. */
  readonly bufferedBytes: number;
  /** When (epoch ms, `Date.now()`) the peer last sent a frame, or completed the handshake. */
  readonly lastSeen: number;
  send(text: string): void;
  /** Sends a ping; a live peer (every browser) answers with a pong, which counts as activity. */
  ping(): void;
  close(): void;
}

/** One frame, unmasked (server to client). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([0x80 | opcode, length]);
  } else if (length < 0x10000) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Whole frames at the start of `buffer` (masked or not), and the bytes left over. */
export function parseFrames(buffer: Buffer): { frames: WebSocketFrame[]; rest: Buffer } {
  const frames: WebSocketFrame[] = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const first = buffer[offset] as number;
    const second = buffer[offset + 1] as number;
    const masked = (second & 0x80) !== 0;
    let length = second & 0x7f;
    let cursor = offset + 2;
    if (length === 126) {
      if (buffer.length < cursor + 2) break;
      length = buffer.readUInt16BE(cursor);
      cursor += 2;
    } else if (length === 127) {
      if (buffer.length < cursor + 8) break;
      length = Number(buffer.readBigUInt64BE(cursor));
      cursor += 8;
    }
    const maskKey = masked ? buffer.subarray(cursor, cursor + 4) : null;
    if (masked) cursor += 4;
    if (buffer.length < cursor + length) break;
    const payload = Buffer.from(buffer.subarray(cursor, cursor + length));
    if (maskKey) {
      for (let i = 0; i < payload.length; i += 1)
        payload[i] = (payload[i] as number) ^ (maskKey[i % 4] as number);
    }
    frames.push({ fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload });
    offset = cursor + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

function refuse(socket: Duplex, status: string): null {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  return null;
}

export interface AcceptOptions {
  /** Text messages from the peer; without it, data frames are ignored (a viewer). */
  onMessage?: (text: string) => void;
  onClose: (peer: WebSocketPeer) => void;
  /** Largest inbound message accepted before the peer is dropped. Default 64 KiB. */
  maxMessageBytes?: number;
  /** Unsent bytes (our frames the peer has not read) beyond which it is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Ping/pong frames a peer may send: `burst` at once, refilled at `perSecond`. Beyond it the peer is dropped. Default 32 and 8/s. */
  controlFrames?: { burst: number; perSecond: number };
}

/**
 * Completes the handshake for an HTTP `upgrade` request and returns the peer, or answers 400
 * and returns null when the request is not a WebSocket handshake.
 */
export function acceptWebSocket(
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  options: AcceptOptions,
): WebSocketPeer | null {
  const key = request.headers['sec-websocket-key'];
  if (
    request.headers.upgrade?.toLowerCase() !== 'websocket' ||
    typeof key !== 'string' ||
    request.headers['sec-websocket-version'] !== '13'
  ) {
    return refuse(socket, '400 Bad Request');
  }
  const maxMessageBytes = options.maxMessageBytes ?? MAX_INBOUND_BYTES;
  const maxBufferedBytes = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const budget = options.controlFrames ?? {
    burst: CONTROL_FRAME_BURST,
    perSecond: CONTROL_FRAMES_PER_SECOND,
  };
  const accept = createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );

  let closed = false;
  let inbound: Buffer = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  let fragmentBytes = 0;
  let lastSeen = Date.now();
  let controlTokens = budget.burst;
  let controlRefilledAt = lastSeen;
  /** Writes one frame, or drops the peer when it would leave more than `maxBufferedBytes` unsent. */
  function write(frame: Buffer): void {
    if (closed) return;
    if (socket.writableLength + frame.length > maxBufferedBytes) {
      drop();
      return;
    }
    socket.write(frame);
  }
  /** Takes one control frame from the budget; false when the peer is over it. */
  function allowControlFrame(): boolean {
    const now = Date.now();
    controlTokens = Math.min(
      budget.burst,
      controlTokens + ((now - controlRefilledAt) / 1000) * budget.perSecond,
    );
    controlRefilledAt = now;
    if (controlTokens < 1) return false;
    controlTokens -= 1;
    return true;
  }
  const peer: WebSocketPeer = {
    get closed() {
      return closed;
    },
    get bufferedBytes() {
      return closed ? 0 : socket.writableLength;
    },
    get lastSeen() {
      return lastSeen;
    },
    send(text) {
      write(encodeFrame(OPCODE_TEXT, Buffer.from(text, 'utf8')));
    },
    ping() {
      write(encodeFrame(OPCODE_PING, Buffer.alloc(0)));
    },
    close() {
      if (closed) return;
      socket.end(encodeFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe9]))); // 1001: going away
      finish();
    },
  };
  function finish(): void {
    if (closed) return;
    closed = true;
    options.onClose(peer);
  }
  /** Ends a misbehaving peer at once: nothing more is read from it or written to it. */
  function drop(): void {
    socket.destroy();
    finish();
  }
  function onData(chunk: Buffer): void {
    if (closed) return;
    lastSeen = Date.now();
    inbound = inbound.length === 0 ? chunk : Buffer.concat([inbound, chunk]);
    if (inbound.length > maxMessageBytes + 14) {
      drop();
      return;
    }
    const { frames, rest } = parseFrames(inbound);
    inbound = rest;
    for (const frame of frames) {
      if (closed) return;
      if (frame.opcode >= OPCODE_CLOSE) {
        if (!frame.fin || frame.payload.length > MAX_CONTROL_PAYLOAD || !allowControlFrame()) {
          drop();
          return;
        }
      }
      if (frame.opcode === OPCODE_CLOSE) {
        socket.end(encodeFrame(OPCODE_CLOSE, frame.payload.subarray(0, 2)));
        finish();
        return;
      }
      if (frame.opcode === OPCODE_PING) write(encodeFrame(OPCODE_PONG, frame.payload));
      if (frame.opcode !== OPCODE_TEXT && frame.opcode !== OPCODE_CONTINUATION) continue;
      fragments.push(frame.payload);
      fragmentBytes += frame.payload.length;
      if (fragmentBytes > maxMessageBytes) {
        drop();
        return;
      }
      if (!frame.fin) continue;
      const message = Buffer.concat(fragments).toString('utf8');
      fragments = [];
      fragmentBytes = 0;
      options.onMessage?.(message);
    }
  }
  socket.on('data', onData);
  socket.on('close', finish);
  socket.on('error', () => {
    socket.destroy();
    finish();
  });
  if (head.length > 0) onData(head);
  return peer;
}
