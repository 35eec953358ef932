/**
 * A loopback HTTPS proxy for running the real Claude Code binary offline: it answers `CONNECT`
 * for `platform.claude.com` and `api.anthropic.com` by terminating TLS itself, with a leaf
 * certificate signed by a throwaway test CA (made with `openssl` at start; the child trusts it
 * through `NODE_EXTRA_CA_CERTS`), and refuses every other host. Behind it:
 *
 * - `POST /v1/oauth/token` is relayed to the fake Anthropic's rotating token endpoint;
 * - `POST /v1/messages` answers a minimal streamed (SSE) or JSON message when the bearer is a
 *   live access token at the fake, else the API's 401 `authentication_error`;
 * - anything else (profile, bootstrap, telemetry) is a JSON 404, which the CLI tolerates.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createSecureContext, TLSSocket } from 'node:tls';
import type { FakeAnthropic } from './fake-anthropic.js';

export const INTERCEPTED_HOSTS = ['platform.claude.com', 'api.anthropic.com'] as const;

export interface TlsInterceptProxy {
  /** `http://127.0.0.1:<port>`, for `HTTPS_PROXY`. */
  readonly url: string;
  /** The test CA's PEM file, for `NODE_EXTRA_CA_CERTS`. */
  readonly caFile: string;
  /** Requests seen, as `METHOD host path` (no headers, no bodies). */
  readonly log: string[];
  close(): Promise<void>;
}

/** True when `openssl` can be run (the proxy needs it to make its test CA). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function makeCertificates(dir: string): Promise<{ key: Buffer; cert: Buffer; caFile: string }> {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=oauth-recovery test CA',
  ]);
  run(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${INTERCEPTED_HOSTS[0]}`]);
  await writeFile(
    path.join(dir, 'leaf.ext'),
    `subjectAltName=${INTERCEPTED_HOSTS.map((host) => `DNS:${host}`).join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  run(
    ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-out',
      'leaf.pem',
      '-days',
      '2',
      '-extfile',
      'leaf.ext',
    ]),
  );
  return {
    key: await readFile(path.join(dir, 'leaf.key')),
    cert: await readFile(path.join(dir, 'leaf.pem')),
    caFile: path.join(dir, 'ca.pem'),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function answerMessage(res: ServerResponse, model: string, stream: boolean): void {
  const message = { id: 'msg_fake', type: 'message', role: 'assistant', model, stop_sequence: null };
  if (!stream) {
    json(res, 200, {
      ...message,
      content: [{ type: 'text', text: 'pong' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 1, output_tokens: 1 },
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_fake' });
  const event = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event('message_start', {
    message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 1 } },
  });
  event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'pong' } });
  event('content_block_stop', { index: 0 });
  event('message_delta', {
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 1 },
  });
  event('message_stop', {});
  res.end();
}

/** Starts the proxy in front of `fake`. Requires `openssl` (see `hasOpenssl`). */
export async function startTlsInterceptProxy(fake: FakeAnthropic): Promise<TlsInterceptProxy> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-ca-'));
  const { key, cert, caFile } = await makeCertificates(dir);
  const secureContext = createSecureContext({ key, cert });
  const log: string[] = [];

  const inner = createServer((req, res) => {
    const route = (req.url ?? '/').split('?')[0] ?? '/';
    log.push(`${req.method} ${req.headers.host} ${route}`);
    void (async () => {
      const body = await readBody(req);
      if (route === '/v1/oauth/token') {
        const answer = await fetch(fake.tokenUrl, {
          method: 'POST',
          // The CLI's own User-Agent goes through, so the fake's log tells its requests from ours.
          headers: {
            'content-type': String(req.headers['content-type'] ?? 'application/json'),
            'user-agent': String(req.headers['user-agent'] ?? 'unknown (via tls-intercept-proxy)'),
          },
          body,
        });
        res.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'application/json',
        });
        res.end(await answer.text());
        return;
      }
      if (route === '/v1/messages') {
        const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        if (fake.tokenState(bearer) !== 'valid') {
          json(res, 401, {
            type: 'error',
            error: { type: 'authentication_error', message: 'OAuth token has expired.' },
          });
          return;
        }
        const parsed = JSON.parse(body) as { model?: string; stream?: boolean };
        answerMessage(res, parsed.model ?? 'claude', parsed.stream === true);
        return;
      }
      json(res, 404, { type: 'error', error: { type: 'not_found_error', message: 'Not found' } });
    })().catch(() => res.destroy());
  });

  const sockets = new Set<Socket>();
  const proxy: Server = createServer((_req, res) => json(res, 403, { error: 'CONNECT only' }));
  proxy.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
    const host = (req.url ?? '').split(':')[0] ?? '';
    if (!(INTERCEPTED_HOSTS as readonly string[]).includes(host)) {
      log.push(`REFUSED ${host}`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const tls = new TLSSocket(socket, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
    tls.on('error', () => socket.destroy());
    inner.emit('connection', tls);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    caFile,
    log,
    async close() {
      for (const socket of sockets) socket.destroy();
      inner.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
