/**
 * Sanitized inspection events reduced to what the offline page shows: the root actor's live
 * state (value, status, context) and a bounded log of (event type → resulting state, time).
 * Only the root actor counts; invoked actors show up as the events they send it
 * (`xstate.done.actor.refreshToken`, `xstate.error.actor.syncFromCli`). Microsteps are logged
 * too, so states passed through within one step (`refreshFailed`, `retrying`, `ok`) show up:
 * the first microstep under the event's type, the eventless ones after it as `always`.
 */
import type { InspectionEvent } from 'xstate';
import { type SecretSource, sanitizeInspectionEvent } from './sanitize.js';
import type { InspectedActorRef } from './types.js';

export interface LiveState {
  /** The inspected root actor's session, once one has been seen. */
  sessionId: string | null;
  /** Active leaf states as dotted paths (`refreshing`, or `parent.child` for nested machines). */
  states: string[];
  value: unknown;
  status: string | null;
  context: unknown;
  /** Epoch ms of the last update, or null. */
  updatedAt: number | null;
  /** Macrosteps (snapshots) seen so far. */
  seq: number;
}

export interface LogEntry {
  seq: number;
  /** Epoch ms (wall clock) when the inspector received it. */
  at: number;
  /** The event the machine processed (`xstate.init`, `TOKEN_EXPIRED`, `xstate.done.actor.refreshToken`, …). */
  event: string;
  /** The resulting state(s), joined with `, `. */
  state: string;
  /** The state before, when it changed. */
  from: string | null;
}

export interface FeedUpdate {
  /** The log entry this update added, or null when only the live state changed. */
  entry: LogEntry | null;
  live: LiveState;
}

export interface InspectionFeed {
  /** Takes any inspection event (sanitizing it again); returns the update it caused, if any. */
  observe(event: InspectionEvent): FeedUpdate | undefined;
  live(): LiveState;
  log(): LogEntry[];
}

/** `'a'` → `['a']`; `{ a: 'b', c: { d: 'e' } }` → `['a.b', 'c.d.e']`. */
export function stateValuePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const nested = stateValuePaths(child, `${prefix}${key}.`);
    return nested.length > 0 ? nested : [`${prefix}${key}`];
  });
}

export function createInspectionFeed(
  options: { logLimit?: number; secrets?: SecretSource; now?: () => number } = {},
): InspectionFeed {
  const logLimit = options.logLimit ?? 500;
  const now = options.now ?? Date.now;
  const entries: LogEntry[] = [];
  const live: LiveState = {
    sessionId: null,
    states: [],
    value: null,
    status: null,
    context: null,
    updatedAt: null,
    seq: 0,
  };

  function apply(snapshot: unknown): void {
    if (!snapshot || typeof snapshot !== 'object') return;
    const { value, status, context } = snapshot as { value?: unknown; status?: unknown; context?: unknown };
    if (value !== undefined) {
      live.value = value;
      live.states = stateValuePaths(value);
    }
    if (typeof status === 'string') live.status = status;
    if (context !== undefined) live.context = context;
  }

  /** Microsteps seen since the last snapshot (the current macrostep). */
  let microsteps = 0;

  function record(eventType: string, before: string): LogEntry {
    const state = live.states.join(', ');
    live.updatedAt = now();
    const entry: LogEntry = {
      seq: entries.length === 0 ? 1 : (entries[entries.length - 1] as LogEntry).seq + 1,
      at: live.updatedAt,
      event: eventType,
      state,
      from: before !== state && before !== '' ? before : null,
    };
    entries.push(entry);
    if (entries.length > logLimit) entries.shift();
    return entry;
  }

  return {
    observe(raw) {
      const event = sanitizeInspectionEvent(raw, options.secrets ?? []) as unknown as {
        type: string;
        rootId?: string;
        actorRef?: InspectedActorRef;
        event?: { type?: unknown };
        snapshot?: unknown;
      };
      const sessionId = event.actorRef?.sessionId;
      if (!sessionId) return undefined;
      const isRoot = event.rootId === undefined || event.rootId === sessionId;
      if (event.type === '@xstate.actor' && isRoot) {
        // A new root actor (e.g. the runtime restarted): follow it from now on.
        live.sessionId = sessionId;
        microsteps = 0;
        apply(event.actorRef?.getSnapshot());
        return undefined;
      }
      if (event.type !== '@xstate.snapshot' && event.type !== '@xstate.microstep') return undefined;
      if (live.sessionId === null && isRoot) live.sessionId = sessionId;
      if (sessionId !== live.sessionId) return undefined;
      const before = live.states.join(', ');
      apply(event.snapshot);
      const changed = live.states.join(', ') !== before;
      const type = typeof event.event?.type === 'string' ? event.event.type : '(unknown)';
      if (event.type === '@xstate.microstep') {
        microsteps += 1;
        if (!changed) return undefined;
        return { entry: record(microsteps === 1 ? type : 'always', before), live: { ...live } };
      }
      // The macrostep's end: its state changes were logged as microsteps; log the event only if none were.
      const hadMicrosteps = microsteps > 0;
      microsteps = 0;
      live.seq += 1;
      if (hadMicrosteps && !changed) {
        live.updatedAt = now();
        return { entry: null, live: { ...live } };
      }
      return { entry: record(type, before), live: { ...live } };
    },
    live: () => ({ ...live }),
    log: () => [...entries],
  };
}
