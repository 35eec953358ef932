/**
 * Sanitized inspection events reduced to what the offline page shows: the root actor's live
 * state (value, status, context) and a bounded log of (event type → resulting state, time).
 * Only the root actor's snapshots count; invoked actors show up as the events they send it
 * (`xstate.done.actor.refreshToken`, `xstate.error.actor.syncFromCli`).
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
  /** Snapshots seen so far. */
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
  entry: LogEntry;
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
        apply(event.actorRef?.getSnapshot());
        return undefined;
      }
      if (event.type !== '@xstate.snapshot') return undefined;
      if (live.sessionId === null && isRoot) live.sessionId = sessionId;
      if (sessionId !== live.sessionId) return undefined;
      const before = live.states.join(', ');
      apply(event.snapshot);
      const state = live.states.join(', ');
      live.seq += 1;
      live.updatedAt = now();
      const type = event.event?.type;
      const entry: LogEntry = {
        seq: live.seq,
        at: live.updatedAt,
        event: typeof type === 'string' ? type : '(unknown)',
        state,
        from: before !== state && before !== '' ? before : null,
      };
      entries.push(entry);
      if (entries.length > logLimit) entries.shift();
      return { entry, live: { ...live } };
    },
    live: () => ({ ...live }),
    log: () => [...entries],
  };
}
