/**
 * Inspector access control: the per-run token on every route (page, SSE stream, /state,
 * WebSocket viewer), streams bounded per client and in total, idle sockets and silent viewers
 * timed out (fake `setInterval`/`Date`, real sockets). Before, any local process could read
 * the live state and 16 idle streams locked the operator out with 503.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InspectorTokenError } from '../../src/inspect/access-token.js';
import { type OfflineInspector, startOfflineInspector } from '../../src/inspect/offline-server.js';
import { connectStatelyInspector, type StatelyInspector } from '../../src/inspect/stately.js';
import { openRawViewer } from './support/raw-viewer.js';
import { openEventStream, type TestEventStream } from './support/sse-client.js';

let offline: OfflineInspector | undefined;
let stately: StatelyInspector | undefined;
const streams: TestEventStream[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const stream of streams.splice(0)) stream.close();
  await offline?.close();
  await stately?.stop();
  offline = undefined;
  stately = undefined;
});

/** `path` on the inspector; with `url`'s token unless `token` says otherwise. */
function route(url: string, path: string, token?: string): string {
  const target = new URL(url);
  target.pathname = `/${path}`;
  if (token !== undefined) target.search = token ? `?token=${token}` : '';
  return target.href;
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('inspector access token', () => {
  it('guards the offline page, its event stream and /state; a wrong token is refused like none', async () => {
    offline = await startOfflineInspector();
    expect(offline.url).toBe(`${route(offline.url, '', '')}?token=${offline.token}`);
    for (const path of ['', 'index.html', 'events', 'state']) {
      expect((await fetch(route(offline.url, path, ''))).status).toBe(403);
      expect((await fetch(route(offline.url, path, 'A'.repeat(43)))).status).toBe(403);
    }
    expect((await fetch(offline.url)).status).toBe(200);
    expect((await fetch(route(offline.url, 'state'))).status).toBe(200);
  });

  it('uses a given token, and refuses a guessable one', async () => {
    await expect(startOfflineInspector({ token: 'short' })).rejects.toThrow(InspectorTokenError);
    expect(() => connectStatelyInspector({ token: 'x'.repeat(21) })).toThrow(InspectorTokenError);
    offline = await startOfflineInspector({ token: 'T'.repeat(32) });
    expect(new URL(offline.url).searchParams.get('token')).toBe('T'.repeat(32));
  });

  it('does not let streams without the token lock the operator out', async () => {
    offline = await startOfflineInspector({ maxClients: 16 });
    for (let i = 0; i < 20; i++) {
      const stream = await openEventStream(route(offline.url, 'events', ''));
      streams.push(stream);
      expect(stream.status).toBe(403);
    }
    const operator = await openEventStream(route(offline.url, 'events'));
    streams.push(operator);
    expect(operator.status).toBe(200);
    await operator.waitFor((messages) => messages.some((message) => message.event === 'hello'));
  });

  it('bounds streams per client and in total', async () => {
    offline = await startOfflineInspector({ limits: { maxStreamsPerClient: 2, maxStreams: 4 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const stream = await openEventStream(route(offline.url, 'events'));
      streams.push(stream);
      statuses.push(stream.status);
    }
    expect(statuses).toEqual([200, 200, 503]);
    expect(offline.streams).toBe(2);
    // A closed stream frees its slot.
    streams[0]?.close();
    await vi.waitFor(() => expect(offline?.streams).toBe(1));
    const again = await openEventStream(route(offline.url, 'events'));
    streams.push(again);
    expect(again.status).toBe(200);
  });
});

describe('idle connections', () => {
  it('closes a socket that never sends a request, and keeps a stream that is being read', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    offline = await startOfflineInspector({ limits: { idleTimeoutMs: 30_000 } });
    const live = await openEventStream(route(offline.url, 'events'));
    streams.push(live);
    await live.waitFor((messages) => messages.length > 0);
    const { port } = new URL(offline.url);
    const idle = connect(Number(port), '127.0.0.1');
    idle.on('error', () => undefined);
    await new Promise((resolve) => idle.once('connect', resolve));
    const gone = closed(idle);

    vi.advanceTimersByTime(20_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle.destroyed).toBe(false);
    vi.advanceTimersByTime(20_000);
    await gone;
    expect(offline.streams).toBe(1);
  });

  it('pings a silent WebSocket viewer, then closes it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    stately = connectStatelyInspector({ limits: { idleTimeoutMs: 40_000 } });
    await stately.ready;
    const viewer = await openRawViewer(stately.viewerUrl as string);
    viewer.on('error', () => undefined);
    const pinged = new Promise<void>((resolve) =>
      viewer.on('data', (chunk: Buffer) => {
        if (chunk.includes(0x89)) resolve();
      }),
    );
    const gone = closed(viewer);
    await vi.waitFor(() => expect(stately?.stats().viewers).toBe(1));
    vi.advanceTimersByTime(30_000);
    await pinged;
    expect(stately.stats().viewers).toBe(1);
    vi.advanceTimersByTime(20_000);
    await gone;
    expect(stately.stats().viewers).toBe(0);
  });
});
