/**
 * A bare WebSocket client for tests (Node 20 has no global WebSocket): the RFC 6455 handshake
 * over node:http, then every text frame the server sends, decoded here independently of the
 * server's own frame code.
 */
import { createMessageLog } from '../../support/wait-for.js';
import { openUpgraded } from './websocket-upgrade.js';

export interface TestWebSocket {
  /** Every text message received so far, in order. */
  readonly messages: string[];
  /** Resolves when `predicate` holds for the messages received (checked on each message). */
  waitFor(predicate: (messages: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  close(): void;
}

export async function connectWebSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<TestWebSocket> {
  // A browser sends its page's origin; the relay refuses a handshake without one.
  const { socket, head } = await openUpgraded(url, headers);
  const log = createMessageLog<string>();
  let buffer = head;
  const onData = (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) break;
      let length = (buffer[1] as number) & 0x7f;
      let start = 2;
      if (length === 126) {
        if (buffer.length < 4) break;
        length = buffer.readUInt16BE(2);
        start = 4;
      } else if (length === 127) {
        if (buffer.length < 10) break;
        length = Number(buffer.readBigUInt64BE(2));
        start = 10;
      }
      if (buffer.length < start + length) break;
      const opcode = (buffer[0] as number) & 0x0f;
      if (opcode === 0x1) log.messages.push(buffer.subarray(start, start + length).toString('utf8'));
      buffer = buffer.subarray(start + length);
    }
    log.notify();
  };
  socket.on('data', onData);
  if (head.length > 0) onData(Buffer.alloc(0));
  return {
    messages: log.messages,
    waitFor: log.waitFor,
    close() {
      socket.destroy();
    },
  };
}
