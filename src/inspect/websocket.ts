/**
 * The smallest WebSocket server side the Stately bridge needs (RFC 6455): the handshake,
 * unmasked text frames out, masked text frames in (assembled from fragments), close and ping.
 * Kept here rather than adding a WebSocket server package: the relay is tiny, stays on
 * loopback, and every peer passes our own Host/Origin checks before the handshake.
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
/** A viewer that stops reading is dropped rather than buffered without bound. */
const MAX_OUTBOUND_BACKLOG = 8 * 1024 * 1024;

export interface WebSocketFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export interface WebSocketPeer {
  readonly closed: boolean;
  send(text: string): void;
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
  const accept = createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );

  let closed = false;
  let inbound: Buffer = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  let fragmentBytes = 0;
  const peer: WebSocketPeer = {
    get closed() {
      return closed;
    },
    send(text) {
      if (closed) return;
      if (socket.writableLength > MAX_OUTBOUND_BACKLOG) {
        socket.destroy();
        return;
      }
      socket.write(encodeFrame(OPCODE_TEXT, Buffer.from(text, 'utf8')));
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
  function onData(chunk: Buffer): void {
    if (closed) return;
    inbound = inbound.length === 0 ? chunk : Buffer.concat([inbound, chunk]);
    if (inbound.length > maxMessageBytes + 14) {
      socket.destroy();
      return;
    }
    const { frames, rest } = parseFrames(inbound);
    inbound = rest;
    for (const frame of frames) {
      if (frame.opcode === OPCODE_CLOSE) {
        socket.end(encodeFrame(OPCODE_CLOSE, frame.payload.subarray(0, 2)));
        finish();
        return;
      }
      if (frame.opcode === OPCODE_PING) socket.write(encodeFrame(OPCODE_PONG, frame.payload));
      if (frame.opcode !== OPCODE_TEXT && frame.opcode !== OPCODE_CONTINUATION) continue;
      fragments.push(frame.payload);
      fragmentBytes += frame.payload.length;
      if (fragmentBytes > maxMessageBytes) {
        socket.destroy();
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
