/**
 * A bare WebSocket client for tests (Node 20 has no global WebSocket): the RFC 6455 handshake
 * over node:http, then every text frame the server sends, decoded here independently of the
 * server's own frame code.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { createArrivals } from '../../support/wait-for.js';

export interface TestWebSocket {
  /** Every text message received so far, in order. */
  readonly messages: string[];
  /** Resolves when `predicate` holds for the messages received (checked on each message). */
  waitFor(predicate: (messages: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  close(): void;
}

export function connectWebSocket(url: string, headers: Record<string, string> = {}): Promise<TestWebSocket> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: {
        // A browser sends its page's origin; the relay refuses a handshake without one.
        Origin: `http://${target.host}`,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('response', (response) => reject(new Error(`no upgrade: HTTP ${response.statusCode}`)));
    req.on('error', reject);
    req.on('upgrade', (_response, socket: Socket, head: Buffer) => {
      const messages: string[] = [];
      const arrivals = createArrivals();
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
          if (opcode === 0x1) messages.push(buffer.subarray(start, start + length).toString('utf8'));
          buffer = buffer.subarray(start + length);
        }
        arrivals.notify();
      };
      socket.on('data', onData);
      if (head.length > 0) onData(Buffer.alloc(0));
      resolve({
        messages,
        async waitFor(predicate, timeoutMs = 10_000) {
          await arrivals.waitFor({
            condition: () => predicate(messages),
            timeoutMs,
            timeoutMessage: () => `timed out after ${timeoutMs} ms with ${messages.length} messages`,
          });
          return messages;
        },
        close() {
          socket.destroy();
        },
      });
    });
    req.end();
  });
}
