/**
 * The Stately (online) inspector: a real runtime driven through refresh → sync → cooldown
 * with `connectStatelyInspector()` attached. A viewer on the loopback relay captures every
 * frame `@statelyai/inspect` sends; none may carry a token.
 */
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActor, fromPromise, setup, toPromise } from 'xstate';
import { InspectorBindRefusedError } from '../../src/inspect/loopback.js';
import { connectStatelyInspector, type StatelyInspector } from '../../src/inspect/stately.js';
import { createRuntimeFixture, type RuntimeFixture } from '../support/runtime-fixture.js';
import { driveRuntime } from './support/drive-runtime.js';
import { connectWebSocket } from './support/websocket-client.js';
import { requestUpgrade } from './support/websocket-upgrade.js';

let fx: RuntimeFixture;
let stately: StatelyInspector | undefined;
beforeEach(async () => {
  fx = await createRuntimeFixture();
});
afterEach(async () => {
  await stately?.stop();
  stately = undefined;
  await fx.cleanup();
});

interface Frame {
  type: string;
  sessionId: string;
  definition?: string;
  event?: { type: string };
  snapshot?: { value?: unknown };
}

/** The status line of a raw upgrade attempt (101, 403, 404, …). */
async function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  const answer = await requestUpgrade(url, headers);
  answer.socket?.destroy();
  return answer.status;
}

describe('connectStatelyInspector', () => {
  it('relays the runtime through refresh → sync → cooldown, and no frame carries a token', async () => {
    stately = connectStatelyInspector({ port: 0 });
    const url = await stately.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    expect(stately.url).toBe(url);
    const viewer = await connectWebSocket(stately.viewerUrl as string);

    const run = driveRuntime(fx, { inspect: stately.inspect });
    await run.start();
    await run.refresh();
    await run.sync();
    await run.coolDown();

    const frames = () => viewer.messages.map((message) => JSON.parse(message) as Frame);
    const rootStates = () =>
      frames()
        .filter((frame) => frame.type === '@xstate.snapshot' && typeof frame.snapshot?.value === 'string')
        .map((frame) => frame.snapshot?.value);
    await viewer.waitFor(() => rootStates().includes('cooldown'));

    // Frames exist: the machine definition, events and snapshots through every step.
    const all = frames();
    const actor = all.find(
      (frame) => frame.type === '@xstate.actor' && frame.definition?.includes('"recovery"'),
    );
    expect(JSON.parse(actor?.definition ?? '{}')).toMatchObject({ id: 'recovery', initial: 'initializing' });
    expect(all.filter((frame) => frame.type === '@xstate.event').length).toBeGreaterThan(5);
    // Snapshots are per macrostep: `refreshFailed`, `retrying` and `ok` pass within one (always).
    expect(new Set(rootStates())).toEqual(new Set(['valid', 'refreshing', 'syncingFromCli', 'cooldown']));
    const eventTypes = all.map((frame) => frame.event?.type);
    expect(eventTypes).toEqual(
      expect.arrayContaining([
        'xstate.done.actor.refreshToken',
        'SYNC_REQUESTED',
        'AUTH_REJECTED',
        'xstate.error.actor.refreshToken',
      ]),
    );

    // No seeded or rotated token, nor anything token-shaped, in any frame.
    expect(run.tokens.size).toBeGreaterThanOrEqual(6);
    const text = viewer.messages.join('\n');
    for (const token of run.tokens) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(-24));
    }
    expect(text).not.toContain('sk-ant-');
    viewer.close();
  });

  it('replays the definition and recent frames to a viewer that connects late', async () => {
    stately = connectStatelyInspector();
    await stately.ready;
    const run = driveRuntime(fx, { inspect: stately.inspect });
    await run.start();
    await run.refresh();
    const late = await connectWebSocket(stately.viewerUrl as string);
    await late.waitFor((messages) => messages.some((message) => message.includes('done.actor.refreshToken')));
    expect(late.messages[0]).toContain('"@xstate.actor"');
    expect(late.messages.join('\n')).not.toContain('sk-ant-');
    late.close();
  });

  it('sanitizes on its own, for an actor wired to it without the runtime', async () => {
    const secret = 'sk-ant-oat01-DIRECTdirectDIRECTdirect0123456789';
    stately = connectStatelyInspector();
    await stately.ready;
    const viewer = await connectWebSocket(stately.viewerUrl as string);
    const machine = setup({
      actors: { leak: fromPromise(async () => ({ accessToken: secret, note: `token ${secret}` })) },
    }).createMachine({
      id: 'direct',
      context: { refresh_token: secret },
      initial: 'busy',
      states: { busy: { invoke: { src: 'leak', onDone: 'done' } }, done: { type: 'final' } },
    });
    const actor = createActor(machine, { inspect: stately.inspect });
    actor.start();
    await toPromise(actor);
    await viewer.waitFor((messages) => messages.some((message) => message.includes('xstate.done.actor')));
    const text = viewer.messages.join('\n');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('DIRECTdirectDIRECT');
    viewer.close();
  });

  it('serves the bridge page and refuses foreign hosts, foreign or missing origins, a missing token and the producer path', async () => {
    stately = connectStatelyInspector();
    const url = await stately.ready;
    const bare = url.replace(/\?.*$/, '');
    expect((await fetch(bare)).status).toBe(403);
    expect((await fetch(`${bare}?token=${'x'.repeat(43)}`)).status).toBe(403);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain('frame-src https://stately.ai');
    const html = await page.text();
    expect(html).toContain('<iframe id="inspector" src="https://stately.ai/inspect">');

    const viewerUrl = stately.viewerUrl as string;
    const port = new URL(url).port;
    const own = `http://127.0.0.1:${port}`;
    expect(await upgradeStatus(viewerUrl, { Origin: own })).toBe(101);
    expect(await upgradeStatus(viewerUrl, {})).toBe(403); // no Origin: refused
    expect(await upgradeStatus(viewerUrl.replace(/\?.*$/, ''), { Origin: own })).toBe(403); // no token
    expect(await upgradeStatus(viewerUrl, { Origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(viewerUrl, { Origin: 'http://127.0.0.1:1' })).toBe(403); // another local page
    expect(await upgradeStatus(viewerUrl, { Host: `evil.example:${port}`, Origin: own })).toBe(403);
    expect(await upgradeStatus(`${bare}producer/guess`, {})).toBe(404);
    const foreign = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', headers: { Host: 'rebound.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(foreign).toBe(403);
  });

  it('refuses a non-loopback bind unless it is explicitly allowed; autoStart: false waits for start()', async () => {
    expect(() => connectStatelyInspector({ host: '0.0.0.0' })).toThrow(InspectorBindRefusedError);
    stately = connectStatelyInspector({ autoStart: false });
    expect(stately.url).toBeUndefined();
    // Events before start() are buffered, not lost.
    const machine = setup({}).createMachine({ id: 'early', initial: 'a', states: { a: {} } });
    createActor(machine, { inspect: stately.inspect }).start();
    const url = await stately.start();
    expect(stately.url).toBe(url);
    const viewer = await connectWebSocket(stately.viewerUrl as string);
    await viewer.waitFor((messages) => messages.some((message) => message.includes('"early"')));
    viewer.close();
  });
});
