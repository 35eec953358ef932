/**
 * A secret scan of whole runtime runs. Three scenarios on real parts (refresh at expiry;
 * invalid_grant → sync from the CLI → retry; cooldown → auto-expiry → a new CLI login), with a
 * caller's pino logger at `trace` writing to memory, an inspector capturing every (sanitized)
 * inspection event, every emitted event, every snapshot and every thrown error. Every token the
 * fake issued (logins, rotations, and what the token endpoint answered) is collected; none of
 * them, nor any `sk-ant-o…` prefix, may appear anywhere a person or a tool could read.
 *
 * Also: every state change is logged at debug, with the state, the event that caused it, the
 * profile and the time spent in the previous state.
 */
import { inspect } from 'node:util';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { CooldownError } from '../../src/errors.js';
import type { AuthRecovery, RecoveryStateName } from '../../src/runtime/index.js';
import type { IssuedLogin } from '../support/fake-anthropic.js';
import {
  createRuntimeFixture,
  PROFILE_ID,
  type RuntimeFixture,
  waitForState,
} from '../support/runtime-fixture.js';

const MINUTE = 60_000;

interface Capture {
  logLines: string[];
  inspections: InspectionEvent[];
  emitted: unknown[];
  snapshots: unknown[];
  errors: unknown[];
  secrets: Set<string>;
}

let fx: RuntimeFixture;
let capture: Capture;

beforeEach(async () => {
  capture = { logLines: [], inspections: [], emitted: [], snapshots: [], errors: [], secrets: new Set() };
  const logger = pino({ level: 'trace' }, { write: (line: string) => void capture.logLines.push(line) });
  fx = await createRuntimeFixture({ logger });
});

afterEach(async () => {
  await fx.cleanup();
});

/** Remembers every token of a login the test seeds, so the scan knows what to look for. */
function seen(login: IssuedLogin): IssuedLogin {
  capture.secrets.add(login.accessToken);
  capture.secrets.add(login.refreshToken);
  return login;
}

/** A fetch that records the tokens the token endpoint hands out, then returns the response untouched. */
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { access_token?: unknown; refresh_token?: unknown } | null;
  for (const token of [body?.access_token, body?.refresh_token]) {
    if (typeof token === 'string') capture.secrets.add(token);
  }
  return response;
};

/** A runtime wired to capture everything it shows the outside world. */
async function startCaptured(options: Parameters<RuntimeFixture['create']>[0] = {}) {
  const auth = fx.create({
    fetch: recordingFetch,
    inspect: (event) => void capture.inspections.push(event),
    ...options,
  });
  const states: RecoveryStateName[] = [];
  auth.subscribe((snapshot) => {
    states.push(snapshot.state);
    capture.snapshots.push(snapshot);
  });
  await auth.start();
  auth.on('*', (event) => void capture.emitted.push(event));
  return { auth, states };
}

/** Runs `operation`, keeping (and returning) any error it throws. */
async function guarded<T>(operation: Promise<T>): Promise<T | unknown> {
  try {
    return await operation;
  } catch (error) {
    capture.errors.push(error);
    return error;
  }
}

/** Everything an operator, a log shipper or an inspector could see, as text. */
function everythingVisible(auth: AuthRecovery): string {
  capture.snapshots.push(auth.getSnapshot());
  const inspected = capture.inspections.map((event) => {
    const ref = (event as { actorRef?: { getSnapshot?: () => unknown } }).actorRef;
    return { event, snapshot: ref?.getSnapshot?.() };
  });
  const errorTexts = capture.errors.flatMap((error) => [
    JSON.stringify(error),
    String(error),
    (error as Error)?.stack ?? '',
    inspect(error, { depth: 10 }),
  ]);
  return [
    capture.logLines.join(''),
    JSON.stringify(inspected),
    JSON.stringify(capture.emitted),
    JSON.stringify(capture.snapshots),
    ...errorTexts,
  ].join('\n');
}

function expectNoSecrets(auth: AuthRecovery, storeTokens: string[]): void {
  for (const token of storeTokens) capture.secrets.add(token);
  const text = everythingVisible(auth);
  expect(capture.secrets.size).toBeGreaterThan(0);
  for (const secret of capture.secrets) {
    expect(secret.startsWith('sk-ant-o')).toBe(true);
    expect(text.includes(secret), 'a raw token is visible').toBe(false);
  }
  expect(text).not.toContain('sk-ant-o');
}

async function storedTokens(): Promise<string[]> {
  const profile = (await fx.readStore()).profiles[PROFILE_ID];
  const cli = (await fx.readCli().catch(() => undefined))?.claudeAiOauth ?? {};
  return [profile.access, profile.refresh, cli.accessToken, cli.refreshToken].filter(
    (token): token is string => typeof token === 'string' && token !== '',
  );
}

// biome-ignore lint/suspicious/noExplicitAny: log records are loose JSON.
type LogRecord = Record<string, any>;
const records = (): LogRecord[] => capture.logLines.map((line) => JSON.parse(line));

/** Every state change is one debug record: state, cause, profile and duration. */
function expectTransitionsLogged(states: RecoveryStateName[]): void {
  const transitions = records().filter((record) => record.event === 'transition');
  expect(transitions.map((record) => record.to)).toEqual(states);
  for (const record of transitions) {
    expect(record.level).toBe(20); // debug
    expect(record.profileId).toBe(PROFILE_ID);
    expect(typeof record.from).toBe('string');
    expect(record.cause, `cause of ${record.from} → ${record.to}`).toMatch(/^(xstate\.|[A-Z_]+$)/);
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
  }
}

describe('secret scan of whole runs (logs at trace, inspector, events, snapshots, errors)', () => {
  it('refresh at expiry', async () => {
    const login = seen({ ...fx.fake.issueLogin() });
    const shortLived = { ...login, expiresAt: fx.clock.now() + 10 * MINUTE };
    await fx.writeStoreLogin(shortLived);
    await fx.writeCliLogin(shortLived);
    const { auth, states } = await startCaptured({ watchCli: false });
    await guarded(auth.withAuth((token) => fx.callApi(token)));
    const settled = waitForState(auth, 'refreshing').then(() => waitForState(auth, 'valid'));
    fx.clock.advance(5 * MINUTE);
    await settled;
    await guarded(auth.withAuth((token) => fx.callApi(token)));
    await auth.whenIdle();

    expect(fx.fake.tokenRequests).toBe(1);
    expect(capture.errors).toEqual([]);
    expect(states).toEqual(['valid', 'refreshing', 'valid']);
    expectTransitionsLogged(states);
    expect(
      records()
        .map((record) => record.cause)
        .filter(Boolean),
    ).toContain('xstate.after.refreshAt.recovery.valid');
    expectNoSecrets(auth, await storedTokens());
  });

  it('invalid_grant → sync from the CLI → retry', async () => {
    const l1 = seen(fx.fake.issueLogin());
    await fx.writeStoreLogin(l1);
    await fx.writeCliLogin(l1);
    const { auth, states } = await startCaptured({ watchCli: false });
    fx.clock.jump(MINUTE);
    const l2 = seen(fx.fake.rotate(l1.refreshToken));
    // The CLI's new login lands only while our refresh request is in flight: under the CLI lock
    // the file is not fresher yet, so the dead refresh token is spent → invalid_grant → sync.
    fx.fake.onNextTokenRequest(() => fx.writeCliLogin(l2));

    const result = await guarded(auth.withAuth((token) => fx.callApi(token)));
    await waitForState(auth, 'valid');
    await auth.whenIdle();

    expect(result).toEqual({ ok: true });
    expect(states).toEqual(['valid', 'refreshing', 'syncingFromCli', 'retrying', 'valid']);
    expectTransitionsLogged(states);
    const causes = records()
      .filter((record) => record.event === 'transition')
      .map((record) => record.cause);
    expect(causes).toEqual([
      'xstate.init',
      'AUTH_REJECTED',
      'xstate.error.actor.refreshToken',
      'xstate.done.actor.syncFromCli',
      'xstate.done.actor.retryPendingCalls',
    ]);
    // The adoption is logged as data (a fingerprint and an expiry), never as the token.
    expect(capture.logLines.join('')).toContain('"synced"');
    expectNoSecrets(auth, await storedTokens());
  });

  it('cooldown → auto-expiry → a new CLI login ends it', async () => {
    const l1 = seen(fx.fake.issueLogin());
    await fx.writeStoreLogin(l1);
    await fx.writeCliLogin('blank');
    seen(fx.fake.rotate(l1.refreshToken));
    const { auth, states } = await startCaptured();

    const refused = await guarded(auth.withAuth((token) => fx.callApi(token)));
    expect(refused).toBeInstanceOf(CooldownError);
    await waitForState(auth, 'cooldown');
    await guarded(auth.getAccessToken());
    await guarded(auth.refresh());
    const again = waitForState(auth, 'refreshing').then(() => waitForState(auth, 'cooldown'));
    fx.clock.advance(30_000);
    await again;
    const l3 = seen(fx.fake.issueLogin());
    const recovered = waitForState(auth, 'valid');
    await fx.writeCliLogin(l3);
    await recovered;
    await auth.whenIdle();
    await guarded(auth.withAuth((token) => fx.callApi(token)));

    expect(capture.errors.length).toBeGreaterThanOrEqual(3);
    expect(capture.errors.every((error) => error instanceof CooldownError)).toBe(true);
    expect(states).toEqual([
      'valid',
      'refreshing',
      'syncingFromCli',
      'cooldown',
      'refreshing',
      'syncingFromCli',
      'cooldown',
      'syncingFromCli',
      'valid',
    ]);
    expectTransitionsLogged(states);
    const warnings = records().filter((record) => record.level === 40);
    expect(warnings.map((record) => record.event)).toContain('cooldownStarted');
    expectNoSecrets(auth, await storedTokens());
  });
});
