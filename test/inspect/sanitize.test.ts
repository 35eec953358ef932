/**
 * The inspection sanitizer: tokens in output, error, cause, context and input are masked,
 * the structure around them is kept, and actor refs become inert stand-ins whose snapshot and
 * definition are safe too — checked on real XState inspection events and through
 * `@statelyai/inspect`'s own converter and serializer.
 */
import { createInspector } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import { assign, createActor, fromPromise, type InspectionEvent, setup, toPromise } from 'xstate';
import {
  REDACTED,
  sanitizeDefinition,
  sanitizeInspectionEvent,
  sanitizeSnapshot,
  sanitizeValue,
  type toInspectedActorRef,
} from '../../src/inspect/sanitize.js';

const ACCESS = 'sk-ant-oat01-ACCESSaccessACCESSaccess0123456789';
const REFRESH = 'sk-ant-ort01-REFRESHrefreshREFRESH0123456789';
/** Not token-shaped: only masked because the caller says it is a secret. */
const OPAQUE = 'opaque-secret-value-0123456789';
/** The caller's known secrets; the `sk-ant-` tokens are left to the pattern mask (→ `sk-ant-***`). */
const SECRETS = [OPAQUE];
/** Substrings that must never survive: each token's random part and the opaque secret. */
const NEEDLES = ['ACCESSaccessACCESS', 'REFRESHrefreshREFRESH', OPAQUE];

function expectNoSecret(text: string): void {
  for (const needle of NEEDLES) expect(text).not.toContain(needle);
}

describe('sanitizeValue', () => {
  it('masks token-shaped and known secrets in strings, at any depth, keeping the structure', () => {
    const value = {
      note: `using ${ACCESS} now`,
      header: 'Bearer abc.def.ghi',
      list: [`x ${OPAQUE} y`, 3, true, null],
      nested: { deeper: { text: REFRESH, count: 2 } },
    };
    const safe = sanitizeValue(value, SECRETS) as typeof value;
    expect(safe).toEqual({
      note: 'using sk-ant-*** now',
      header: 'Bearer ***',
      list: ['x *** y', 3, true, null],
      nested: { deeper: { text: 'sk-ant-***', count: 2 } },
    });
  });

  it('redacts values under credential-named keys whatever their shape, and keeps the key', () => {
    const safe = sanitizeValue({
      accessToken: 'aaaaaaaaaaaa',
      refresh_token: 'bbbbbbbbbbbb',
      Authorization: 'Basic xyz',
      access: 'cccccccc',
      refresh: { nested: 'dddddddd' },
      'api-key': 'k',
      blank: { accessToken: '', refreshToken: null },
      fingerprint: 'a1b2c3d4e5f6',
      expiresAt: 1_700_000_000_000,
    });
    expect(safe).toEqual({
      accessToken: REDACTED,
      refresh_token: REDACTED,
      Authorization: REDACTED,
      access: REDACTED,
      refresh: REDACTED,
      'api-key': REDACTED,
      // A blanked credential is worth seeing, and is no secret.
      blank: { accessToken: '', refreshToken: null },
      fingerprint: 'a1b2c3d4e5f6',
      expiresAt: 1_700_000_000_000,
    });
  });

  it('keeps an error as name, message, code, own fields and cause chain, all sanitized; drops the stack', () => {
    const root = Object.assign(new Error(`upstream said ${ACCESS}`), { body: { refresh_token: REFRESH } });
    const error = Object.assign(new Error(`refresh failed for ${OPAQUE}`, { cause: root }), {
      code: 'REFRESH_FAILED',
      kind: 'permanent',
      status: 400,
    });
    const safe = sanitizeValue({ error }, SECRETS) as { error: Record<string, unknown> };
    expect(safe.error).toEqual({
      name: 'Error',
      message: 'refresh failed for ***',
      code: 'REFRESH_FAILED',
      kind: 'permanent',
      status: 400,
      cause: { name: 'Error', message: 'upstream said sk-ant-***', body: { refresh_token: REDACTED } },
    });
    expect(JSON.stringify(safe)).not.toContain('at ');
  });

  it('turns functions, internals, buffers, maps, sets, dates, cycles and actor refs into plain data', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const shared = { n: 1 };
    const actorLike = {
      id: 'child',
      sessionId: 'x:9',
      send: () => undefined,
      _snapshot: { context: ACCESS },
    };
    const safe = sanitizeValue(
      {
        fn: () => ACCESS,
        _internal: ACCESS,
        stack: 'at somewhere',
        buffer: Buffer.from(ACCESS),
        map: new Map([['token', ACCESS]]),
        set: new Set([REFRESH]),
        when: new Date(0),
        url: new URL(`https://example.test/?t=${ACCESS}`),
        big: 10n,
        cyclic,
        twice: [shared, shared],
        actor: actorLike,
      },
      SECRETS,
    );
    expect(safe).toEqual({
      buffer: `[binary ${Buffer.byteLength(ACCESS)} bytes]`,
      map: { token: REDACTED },
      set: ['sk-ant-***'],
      when: '1970-01-01T00:00:00.000Z',
      url: 'https://example.test/?t=sk-ant-***',
      big: '10',
      cyclic: { name: 'loop', self: '[circular]' },
      twice: [{ n: 1 }, { n: 1 }],
      actor: { id: 'child', sessionId: 'x:9' },
    });
    expectNoSecret(JSON.stringify(safe));
  });

  it('caps depth instead of recursing without end', () => {
    let deep: Record<string, unknown> = { leaf: ACCESS };
    for (let i = 0; i < 30; i += 1) deep = { next: deep };
    const text = JSON.stringify(sanitizeValue(deep, SECRETS));
    expect(text).toContain('[depth]');
    expectNoSecret(text);
  });
});

describe('sanitizeSnapshot and sanitizeDefinition', () => {
  it('keeps status, value, context, output, error and input; drops children and internals', () => {
    const safe = sanitizeSnapshot(
      {
        status: 'done',
        value: 'ok',
        context: { accessToken: ACCESS, attempts: 1 },
        output: { token: REFRESH, fingerprint: 'abc' },
        input: { note: OPAQUE },
        error: undefined,
        children: { a: { sessionId: 'x:1', send: () => undefined } },
        historyValue: { x: 1 },
        machine: { config: {} },
      },
      SECRETS,
    );
    expect(safe).toEqual({
      status: 'done',
      value: 'ok',
      context: { accessToken: REDACTED, attempts: 1 },
      output: { token: REDACTED, fingerprint: 'abc' },
      input: { note: '***' },
    });
  });

  it('renders a definition like @statelyai/inspect does (functions as { type }), masked', () => {
    function hasFreshToken() {
      return true;
    }
    const safe = sanitizeDefinition(
      {
        id: 'm',
        states: { a: { on: { GO: { guard: hasFreshToken, target: 'b' } }, meta: { hint: ACCESS } } },
      },
      SECRETS,
    );
    expect(safe).toEqual({
      id: 'm',
      states: {
        a: { on: { GO: { guard: { type: 'hasFreshToken' }, target: 'b' } }, meta: { hint: 'sk-ant-***' } },
      },
    });
  });
});

/**
 * A hostile machine: tokens in context, in an invoked actor's input and output, and in an
 * error and its cause. The real recovery machine holds metadata only; this one shows that
 * even a machine that does not is safe to inspect.
 */
function hostileMachine() {
  return setup({
    actors: {
      fetchToken: fromPromise(async ({ input }: { input: { refreshToken: string; note: string } }) => ({
        access_token: ACCESS,
        echoed: input.note,
      })),
      failHard: fromPromise(async () => {
        throw new Error(`denied ${ACCESS}`, {
          cause: Object.assign(new Error('inner'), { refresh: REFRESH }),
        });
      }),
    },
  }).createMachine({
    id: 'hostile',
    context: { accessToken: ACCESS, note: `opaque ${OPAQUE}`, output: null as unknown },
    initial: 'fetching',
    states: {
      fetching: {
        invoke: {
          src: 'fetchToken',
          input: () => ({ refreshToken: REFRESH, note: OPAQUE }),
          onDone: { target: 'failing', actions: assign({ output: ({ event }) => event.output }) },
        },
      },
      failing: { invoke: { src: 'failHard', onError: { target: 'done' } } },
      done: { type: 'final' },
    },
  });
}

async function inspectHostileRun(): Promise<InspectionEvent[]> {
  const events: InspectionEvent[] = [];
  const actor = createActor(hostileMachine(), { inspect: (event) => events.push(event) });
  actor.start();
  await toPromise(actor);
  return events;
}

describe('sanitizeInspectionEvent on real XState inspection events', () => {
  it('the raw events do carry the tokens (so the checks below mean something)', async () => {
    const events = await inspectHostileRun();
    const raw = events
      .map((event) => JSON.stringify({ ...event, actorRef: undefined, sourceRef: undefined }, (_k, v) => v))
      .join('\n');
    expect(raw).toContain('ACCESSaccessACCESS');
    expect(raw).toContain(OPAQUE);
  });

  it('masks output, error, cause, context and input, keeps event types and structure', async () => {
    const events = (await inspectHostileRun()).map((event) => sanitizeInspectionEvent(event, SECRETS));
    const text = events
      .map((event) => {
        const { actorRef, sourceRef } = event as unknown as Record<
          string,
          ReturnType<typeof toInspectedActorRef>
        >;
        return JSON.stringify([event, actorRef?.getSnapshot(), actorRef?.logic, sourceRef?.getSnapshot()]);
      })
      .join('\n');
    expectNoSecret(text);

    const snapshots = events.filter((event) => event.type === '@xstate.snapshot');
    const done = snapshots.find((event) => event.event.type === 'xstate.done.actor.0.hostile.fetching');
    expect(done?.event).toMatchObject({ output: { access_token: REDACTED, echoed: '***' } });
    const failed = snapshots.find((event) => event.event.type.startsWith('xstate.error.actor'));
    expect((failed?.event as unknown as { error: unknown } | undefined)?.error).toEqual({
      name: 'Error',
      message: 'denied sk-ant-***',
      cause: { name: 'Error', message: 'inner', refresh: REDACTED },
    });
    const root = snapshots.find((event) => event.actorRef.sessionId === event.rootId);
    expect(root?.snapshot).toMatchObject({ context: { accessToken: REDACTED, note: 'opaque ***' } });
    const child = snapshots.find((event) => (event.snapshot as { input?: unknown }).input !== undefined);
    expect((child?.snapshot as unknown as { input: unknown } | undefined)?.input).toEqual({
      refreshToken: REDACTED,
      note: '***',
    });
    expect(events.some((event) => '_transitions' in event)).toBe(false);
    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot', '@xstate.microstep', '@xstate.action']),
    );
  });

  it('replaces actor refs with inert stand-ins that keep identity and the (sanitized) definition', async () => {
    const raw = await inspectHostileRun();
    const actorEvent = raw.find((event) => event.type === '@xstate.actor') as InspectionEvent;
    const safe = sanitizeInspectionEvent(actorEvent, SECRETS) as unknown as {
      actorRef: ReturnType<typeof toInspectedActorRef>;
    };
    expect(safe.actorRef.sessionId).toBe(actorEvent.actorRef.sessionId);
    expect('send' in safe.actorRef).toBe(false);
    expect(JSON.stringify(safe.actorRef)).toBe(
      JSON.stringify({
        id: (actorEvent.actorRef as unknown as { id: string }).id,
        sessionId: actorEvent.actorRef.sessionId,
      }),
    );
    expect(JSON.stringify(safe.actorRef.logic?.config)).toContain('"fetching"');
    expect(safe.actorRef.getSnapshot()).toMatchObject({ status: 'done', context: { accessToken: REDACTED } });
    // Sanitizing twice keeps the stand-in (and its definition) as it is.
    const twice = sanitizeInspectionEvent(
      safe as unknown as InspectionEvent,
      SECRETS,
    ) as unknown as typeof safe;
    expect(twice.actorRef).toBe(safe.actorRef);
  });

  it("is safe through @statelyai/inspect's own converter and serializer", async () => {
    const frames: string[] = [];
    const unsafeFrames: string[] = [];
    const inspector = createInspector({ send: (event) => frames.push(JSON.stringify(event)) });
    const unsafe = createInspector({ send: (event) => unsafeFrames.push(JSON.stringify(event)) });
    for (const event of await inspectHostileRun()) {
      inspector.inspect.next?.(sanitizeInspectionEvent(event, SECRETS));
      unsafe.inspect.next?.(event);
    }
    // The library converts on a timer tick; wait for the last frame rather than a fixed time.
    await expect.poll(() => frames.length, { timeout: 5_000 }).toBeGreaterThan(5);
    await expect.poll(() => unsafeFrames.length, { timeout: 5_000 }).toBe(frames.length);
    expect(unsafeFrames.join('\n')).toContain('ACCESSaccessACCESS');
    const all = frames.join('\n');
    expectNoSecret(all);
    const actorFrame = JSON.parse(frames.find((frame) => frame.includes('"@xstate.actor"')) as string);
    expect(JSON.parse(actorFrame.definition)).toMatchObject({ id: 'hostile', initial: 'fetching' });
  });
});
