/**
 * Masking by value (issue 11 item 4): the token endpoint's error text quotes the refresh token
 * in the forms a broken or hostile endpoint can produce (no `sk-ant-` prefix, a control
 * character inside, JSON-escaped, URL-encoded, wrapped over lines). None of it may reach the
 * Stately inspector's frames, the logs, the thrown errors, the snapshots or the emitted events.
 * Before, masking relied on the prefix and the exact token: every form below leaked.
 */
import { inspect } from 'node:util';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectStatelyInspector, type StatelyInspector } from '../../src/inspect/stately.js';
import { clearRegisteredSecrets } from '../../src/logging/secret-registry.js';
import { connectWebSocket, type TestWebSocket } from '../inspect/support/websocket-client.js';
import { createRuntimeFixture, type RuntimeFixture } from '../support/runtime-fixture.js';

const body = (token: string) => token.replace(/^sk-ant-[a-z]+\d*-/, '');

/** How the endpoint quotes the refresh token `rt` in its error_description. */
const FORMS: Array<[string, (rt: string) => string]> = [
  ['without its prefix', (rt) => `refresh token ${body(rt)} is not valid`],
  ['with a control character inside', (rt) => `bad grant ${rt.slice(0, 30)}\u0001${rt.slice(30)} (rejected)`],
  [
    'JSON-escaped inside an embedded body',
    (rt) => `upstream said {"refresh_token":"${body(rt).slice(0, 25)}\\u0000${body(rt).slice(25)}"}`,
  ],
  ['URL-encoded in a URL', (rt) => `see /oauth/debug?rt=${body(rt).slice(0, 33)}%0A${body(rt).slice(33)}`],
  [
    'wrapped over lines',
    (rt) =>
      `token:\n${body(rt)
        .match(/.{1,20}/g)
        ?.join('\n  ')}`,
  ],
  ['truncated', (rt) => `token ${body(rt).slice(0, 40)}… rejected`],
];

let fx: RuntimeFixture;
let stately: StatelyInspector;
let viewer: TestWebSocket;
const logLines: string[] = [];
beforeEach(async () => {
  clearRegisteredSecrets();
  logLines.length = 0;
  const logger = pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) });
  fx = await createRuntimeFixture({ logger });
  stately = connectStatelyInspector();
  await stately.ready;
  viewer = await connectWebSocket(stately.viewerUrl as string);
});
afterEach(async () => {
  viewer.close();
  await stately.stop();
  await fx.cleanup();
});

/** Every 16-character piece of `secret`'s random part found in `text`, with escapes and non-token characters removed. */
function leakedPieces(text: string, secret: string): string[] {
  const flat = text
    .replace(/\\u[0-9a-fA-F]{4}|\\[nrtbf]|%[0-9a-fA-F]{2}/g, '')
    .replace(/[^A-Za-z0-9_-]/g, '');
  const random = body(secret);
  const pieces: string[] = [];
  for (let i = 0; i + 16 <= random.length; i++) {
    const piece = random.slice(i, i + 16);
    if (flat.includes(piece)) pieces.push(piece);
  }
  return pieces;
}

describe('masking by value', () => {
  it.each(FORMS)('an endpoint error quoting the refresh token %s reaches nothing', async (_name, quote) => {
    const login = fx.fake.issueLogin();
    await fx.writeStoreLogin(login);
    await fx.writeCliLogin(login);
    const auth = fx.create({ watchCli: false, inspect: stately.inspect });
    const snapshots: unknown[] = [];
    const emitted: unknown[] = [];
    auth.subscribe((snapshot) => void snapshots.push(snapshot));
    await auth.start();
    auth.on('*', (event) => void emitted.push(event));

    fx.fake.failNext(1, {
      status: 400,
      body: JSON.stringify({ error: 'invalid_grant', error_description: quote(login.refreshToken) }),
    });
    const error = await auth.refresh().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    await auth.whenIdle();
    // The failed refresh's error event reached the inspector (the login still works: back to valid).
    await viewer.waitFor((messages) =>
      messages.some((message) => message.includes('xstate.error.actor.refreshToken')),
    );
    snapshots.push(auth.getSnapshot());

    const visible = [
      viewer.messages.join('\n'),
      logLines.join(''),
      JSON.stringify(snapshots),
      JSON.stringify(emitted),
      String(error),
      (error as Error).stack ?? '',
      inspect(error, { depth: 10 }),
    ].join('\n');
    // The error text did get through (masked), so the test is looking at the right place.
    expect(visible).toContain('***');
    for (const secret of [login.refreshToken, login.accessToken]) {
      expect(leakedPieces(visible, secret)).toEqual([]);
    }
    await auth.stop();
  });
});
