/**
 * A raw WebSocket viewer for abuse tests: completes the handshake (with the page's Origin)
 * and hands back the bare socket, so a test can flood it with frames or stop reading.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

export function openRawViewer(viewerUrl: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const target = new URL(viewerUrl);
    const req = request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: {
        Origin: `http://${target.host}`,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
      },
    });
    req.on('upgrade', (_response, socket: Socket) => resolve(socket));
    req.on('response', (response) => reject(new Error(`no upgrade: HTTP ${response.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

/** One client frame (masked, as RFC 6455 requires of clients), payload up to 125 bytes. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

export const OPCODE_PING = 0x9;
