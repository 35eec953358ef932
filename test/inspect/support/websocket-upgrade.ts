/**
 * The RFC 6455 opening handshake as a test client sends it, over node:http: the upgrade
 * request and its answer (101 with the socket, or the refusal's status). Shared by the
 * decoding client, the raw viewer of the abuse tests and the access checks.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

/** The answer to an upgrade request: the socket when the server switched protocols (101). */
export type UpgradeAnswer =
  | { status: 101; socket: Socket; head: Buffer }
  | { status: number; socket?: undefined };

/** The `Origin` a browser sends from the page served at `url`'s host. */
export const pageOrigin = (url: string): string => `http://${new URL(url).host}`;

/** Sends an upgrade request to `url` with `headers` (no `Origin` unless given) and resolves with the answer. */
export function requestUpgrade(url: string, headers: Record<string, string> = {}): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (_response, socket: Socket, head: Buffer) => resolve({ status: 101, socket, head }));
    req.on('response', (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Upgrades as a browser on the page's origin would; rejects unless the server answers 101. */
export async function openUpgraded(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ socket: Socket; head: Buffer }> {
  const answer = await requestUpgrade(url, { Origin: pageOrigin(url), ...headers });
  if (answer.socket === undefined) throw new Error(`no upgrade: HTTP ${answer.status}`);
  return answer;
}
