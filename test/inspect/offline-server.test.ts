/**
 * The offline inspector over HTTP: one self-contained page with no external URL, an SSE
 * stream that follows a real runtime through refresh → sync → cooldown without a token in
 * it, `/state`, and loopback-only serving.
 */
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActor, setup } from 'xstate';
import { InspectorBindRefusedError } from '../../src/inspect/loopback.js';
import { type OfflineInspector, startOfflineInspector } from '../../src/inspect/offline-server.js';
import { RECOVERY_STATES } from '../support/recovery-states.js';
import { createRuntimeFixture, type RuntimeFixture } from '../support/runtime-fixture.js';
import { driveRuntime } from './support/drive-runtime.js';
import { openEventStream } from './support/sse-client.js';

let fx: RuntimeFixture;
let offline: OfflineInspector | undefined;
beforeEach(async () => {
  fx = await createRuntimeFixture();
});
afterEach(async () => {
  await offline?.close();
  offline = undefined;
  await fx.cleanup();
});

/** `path` on the inspector, with the access token of `url`. */
function route(url: string, path: string): string {
  const target = new URL(url);
  target.pathname = `/${path}`;
  return target.href;
}

function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      { host: target.hostname, port: target.port, path: `/${target.search}`, headers: { host } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('startOfflineInspector', () => {
  it('serves one self-contained page: no external URL, inline assets under a strict CSP, all 10 states drawn', async () => {
    offline = await startOfflineInspector({ title: 'Test <inspector>' });
    expect(offline.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    const response = await fetch(offline.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    const html = await response.text();

    // Every src/href is relative or data:, and nothing anywhere names another host.
    const references = [...html.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]*)/gi)].map((match) => match[1]);
    for (const reference of references) expect(reference).toMatch(/^(?:data:|\.?\/?[\w./-]*$|#)/);
    expect(html).not.toMatch(/:\/\//);
    expect(html).not.toMatch(/@import|url\((?!#)/i);
    expect(html).not.toMatch(/<link\b|<iframe\b|<img\b/i);
    expect(html).toContain('<title>Test &#60;inspector&#62;</title>');
    for (const state of RECOVERY_STATES) expect(html).toContain(`data-state="${state}"`);
    expect(html).toContain("new EventSource('events?token=' + encodeURIComponent(token))");
  });

  it('streams state changes from a runtime through refresh → sync → cooldown, with no token in the stream', async () => {
    offline = await startOfflineInspector();
    const stream = await openEventStream(route(offline.url, 'events'));
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await stream.waitFor((messages) => messages.some((message) => message.event === 'hello'));

    const run = driveRuntime(fx, { inspect: offline.observer });
    await run.start();
    await run.refresh();
    await run.sync();
    await run.coolDown();
    const entries = () =>
      stream.messages
        .filter((message) => message.event === 'update' && message.data.entry)
        .map((m) => m.data.entry);
    await stream.waitFor(() => entries().some((entry) => entry.state === 'cooldown'));

    const transitions = entries()
      .filter((entry) => entry.from)
      .map((entry) => `${entry.from} → ${entry.state} (${entry.event})`);
    expect(transitions).toEqual([
      'valid → expired (xstate.after.refreshAt.recovery.valid)',
      'expired → refreshing (always)',
      'refreshing → ok (xstate.done.actor.refreshToken)',
      'ok → valid (always)',
      'valid → syncingFromCli (SYNC_REQUESTED)',
      'syncingFromCli → retrying (xstate.done.actor.syncFromCli)',
      'retrying → ok (always)',
      'ok → valid (always)',
      'valid → expired (AUTH_REJECTED)',
      'expired → refreshing (always)',
      'refreshing → refreshFailed (xstate.error.actor.refreshToken)',
      'refreshFailed → syncingFromCli (always)',
      'syncingFromCli → cooldown (xstate.done.actor.syncFromCli)',
    ]);
    const last = stream.messages[stream.messages.length - 1];
    expect(last?.data.live).toMatchObject({ states: ['cooldown'], status: 'active' });
    expect(last?.data.live.context).toMatchObject({ lastError: 'notFresher', consecutiveCooldowns: 1 });

    const raw = stream.raw();
    for (const token of run.tokens) {
      expect(raw).not.toContain(token);
      expect(raw).not.toContain(token.slice(-24));
    }
    expect(raw).not.toContain('sk-ant-');

    // `/state` tells the same story, and a page opened now gets it all in `hello`.
    const state = await (await fetch(route(offline.url, 'state'))).json();
    expect(state).toMatchObject({ machine: 'recovery', states: ['cooldown'], status: 'active' });
    const late = await openEventStream(route(offline.url, 'events'));
    const [hello] = await late.waitFor((messages) => messages.length > 0);
    expect(hello?.event).toBe('hello');
    expect(hello?.data.live.states).toEqual(['cooldown']);
    expect(hello?.data.log).toEqual(entries());
    expect(JSON.stringify(state) + late.raw()).not.toContain('sk-ant-');
    late.close();
    stream.close();
  });

  it('sanitizes on its own and draws any machine it is given', async () => {
    const secret = 'sk-ant-oat01-OWNownOWNownOWN0123456789';
    const machine = setup({}).createMachine({
      id: 'door',
      context: { accessToken: secret, note: `token ${secret}` },
      initial: 'closed',
      states: { closed: { on: { OPEN: 'open' } }, open: { on: { CLOSE: 'closed' } } },
    });
    offline = await startOfflineInspector({ machine });
    const html = await (await fetch(offline.url)).text();
    expect(html).toContain('data-state="closed"');
    expect(html).toContain('data-state="open"');
    const stream = await openEventStream(route(offline.url, 'events'));
    const actor = createActor(machine, { inspect: offline.observer }).start();
    actor.send({ type: 'OPEN' });
    await stream.waitFor((messages) => messages.some((message) => message.data.entry?.state === 'open'));
    expect(stream.raw()).toContain('[redacted]');
    expect(stream.raw()).not.toContain('OWNownOWN');
    stream.close();
  });

  it('listens on loopback only, refuses foreign Host headers, and answers 404/405', async () => {
    await expect(startOfflineInspector({ host: '0.0.0.0' })).rejects.toBeInstanceOf(
      InspectorBindRefusedError,
    );
    await expect(startOfflineInspector({ host: '192.168.1.10' })).rejects.toThrow(/allowNonLoopback/);
    offline = await startOfflineInspector({ port: 0, host: '127.0.0.1' });
    expect(await getWithHost(offline.url, 'rebound.example')).toBe(403);
    expect(await getWithHost(offline.url, 'localhost')).toBe(200);
    expect((await fetch(route(offline.url, 'nope'))).status).toBe(404);
    expect((await fetch(offline.url, { method: 'POST' })).status).toBe(405);
  });
});
