/**
 * Broad secret scan: the integration scenarios (refresh at expiry, invalid_grant → CLI sync →
 * retry, cooldown → a new CLI login, concurrent callers) run on real parts with everything a
 * secret could leak into captured: log lines at trace level, errors thrown to callers, events
 * emitted by `on('*')`, snapshots from `subscribe()` and `getSnapshot()`, and the inspector's
 * frames (`inspect` option). No token issued in the run, nor any 16-character piece of one,
 * may appear anywhere in the capture.
 */
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CooldownError } from '../../src/errors.js';
import { createLogger } from '../../src/logging/logger.js';
import type { AuthRecovery } from '../../src/runtime/index.js';
import { createRuntimeFixture, type RuntimeFixture, waitForState } from '../support/runtime-fixture.js';

const MINUTE = 60_000;

interface Capture {
  logs: string[];
  thrown: unknown[];
  events: unknown[];
  snapshots: unknown[];
  frames: unknown[];
}

let fx: RuntimeFixture;
let capture: Capture;
/** Every token seen in the run, from the test's side. */
const tokens = new Set<string>();

beforeEach(async () => {
  capture = { logs: [], thrown: [], events: [], snapshots: [], frames: [] };
  tokens.clear();
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      capture.logs.push(String(chunk));
      callback();
    },
  });
  fx = await createRuntimeFixture({ logger: createLogger({ level: 'trace', destination }) });
});
afterEach(async () => {
  await fx.cleanup();
});

/** A runtime whose every outward channel is recorded. */
async function start(options: Parameters<RuntimeFixture['create']>[0] = {}): Promise<AuthRecovery> {
  const auth = fx.create({ ...options, inspect: (frame) => capture.frames.push(frame) });
  await auth.start();
  auth.on('*', (event) => capture.events.push(event));
  auth.subscribe((snapshot) => capture.snapshots.push(snapshot));
  return auth;
}

function remember(...logins: { accessToken: string; refreshToken: string }[]): void {
  for (const login of logins) {
    tokens.add(login.accessToken);
    tokens.add(login.refreshToken);
  }
}

async function collectAll(auth: AuthRecovery): Promise<void> {
  capture.snapshots.push(auth.getSnapshot());
  await auth.whenIdle();
  // Everything the store, the CLI file and the fake saw: tokens we did not issue ourselves.
  const store = await fx.readStore();
  for (const profile of Object.values(store.profiles) as { access?: string; refresh?: string }[]) {
    if (profile.access) tokens.add(profile.access);
    if (profile.refresh) tokens.add(profile.refresh);
  }
  const cli = await fx.readCli().catch(() => undefined);
  if (cli?.claudeAiOauth?.accessToken) remember(cli.claudeAiOauth);
  for (const request of fx.fake.tokenRequestLog) {
    const refresh = (request.body as { refresh_token?: unknown } | undefined)?.refresh_token;
    if (typeof refresh === 'string') tokens.add(refresh);
  }
}

function expectNoTokenAnywhere(): void {
  const text = [
    ...capture.logs,
    ...[capture.thrown, capture.events, capture.snapshots, capture.frames].flatMap((items) =>
      items.map(
        (item) => `${safeJson(item)}\n${inspect(item, { depth: 12, showHidden: true, getters: true })}`,
      ),
    ),
  ].join('\n');
  expect(capture.logs.length).toBeGreaterThan(5);
  expect(capture.frames.length).toBeGreaterThan(5);
  expect(tokens.size).toBeGreaterThanOrEqual(4);
  const leaks: string[] = [];
  for (const token of tokens) {
    if (token.length < 16) continue;
    // The whole token, and every 16-character piece of its random part.
    const secretPart = token.replace(/^sk-ant-o[ar]t01-/, '');
    for (let at = 0; at + 16 <= secretPart.length; at += 4) {
      if (text.includes(secretPart.slice(at, at + 16))) {
        leaks.push(`${token.slice(0, 14)}… (piece at ${at})`);
        break;
      }
    }
  }
  expect(leaks).toEqual([]);
  expect(text).not.toMatch(/sk-ant-o[ar]t01-[A-Za-z0-9_-]{6,}/);
}

function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'object' && item !== null) {
        if (seen.has(item)) return '[circular]';
        seen.add(item);
      }
      return typeof item === 'bigint' ? String(item) : item;
    });
  } catch {
    return '';
  }
}

describe('secret scan across logs (trace), thrown errors, events, snapshots and inspector frames', () => {
  it('refresh at expiry, with write-back to the CLI', async () => {
    const login = fx.fake.issueLogin();
    const shortLived = { ...login, expiresAt: fx.clock.now() + 10 * MINUTE };
    remember(login);
    await fx.writeStoreLogin(shortLived);
    await fx.writeCliLogin(shortLived);
    const auth = await start({ watchCli: false });
    const settled = waitForState(auth, 'refreshing').then(() => waitForState(auth, 'valid'));
    fx.clock.advance(5 * MINUTE);
    await settled;
    tokens.add(await auth.getAccessToken());
    await collectAll(auth);
    expect(fx.fake.tokenRequests).toBe(1);
    expectNoTokenAnywhere();
  });

  it('invalid_grant → sync from the CLI → retried call succeeds', async () => {
    const l1 = fx.fake.issueLogin();
    await fx.writeStoreLogin(l1);
    await fx.writeCliLogin(l1);
    const auth = await start({ watchCli: false });
    fx.clock.jump(MINUTE);
    const l2 = fx.fake.rotate(l1.refreshToken);
    remember(l1, l2);
    await fx.writeCliLogin(l2);
    const result = await auth.withAuth((token) => fx.callApi(token));
    expect(result).toEqual({ ok: true });
    await waitForState(auth, 'valid');
    await collectAll(auth);
    expectNoTokenAnywhere();
  });

  it('cooldown (errors thrown to callers), then a new CLI login ends it', async () => {
    const l1 = fx.fake.issueLogin();
    await fx.writeStoreLogin(l1);
    await fx.writeCliLogin('blank');
    const spent = fx.fake.rotate(l1.refreshToken);
    remember(l1, spent);
    const auth = await start();
    await auth.withAuth((token) => fx.callApi(token)).catch((error: unknown) => capture.thrown.push(error));
    await waitForState(auth, 'cooldown');
    await auth.getAccessToken().catch((error: unknown) => capture.thrown.push(error));
    expect(capture.thrown.length).toBeGreaterThanOrEqual(2);
    expect(capture.thrown.some((error) => error instanceof CooldownError)).toBe(true);
    fx.clock.jump(MINUTE); // the new login expires later than the stored one
    const l3 = fx.fake.issueLogin();
    remember(l3);
    const recovered = waitForState(auth, 'valid');
    await fx.writeCliLogin(l3);
    await recovered;
    await collectAll(auth);
    expectNoTokenAnywhere();
  });

  it('1,000 concurrent callers at expiry, and a caller whose API call fails with the token in its error', async () => {
    const login = fx.fake.issueLogin();
    remember(login);
    await fx.writeStoreLogin(login);
    const auth = await start({ cliSource: false });
    fx.clock.jump(8 * 60 * MINUTE);
    const results = await Promise.all(Array.from({ length: 1000 }, () => auth.getAccessToken()));
    tokens.add(results[0] as string);
    expect(fx.fake.tokenRequests).toBe(1);
    // A caller's own error quoting the token must not be echoed by the runtime's logs.
    await auth
      .withAuth((token) => {
        throw Object.assign(new Error(`upstream said no to ${token}`), { status: 500 });
      })
      .catch(() => undefined);
    await collectAll(auth);
    expectNoTokenAnywhere();
  });
});
