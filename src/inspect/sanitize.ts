/**
 * Inspection events leave the process (a WebSocket, a browser page), so each one is rebuilt
 * as plain, secret-free data before any inspector sees it:
 *
 * - strings are masked (`sk-ant-…`, `Bearer …`, and every secret the caller knows about);
 * - values under credential-named keys (`accessToken`, `refresh_token`, `authorization`, …)
 *   are replaced by `[redacted]`, keeping the key so the structure stays readable;
 * - errors become `{ name, message, code, kind, status, …, cause }` with no stack;
 * - functions, `_`-prefixed internals, binary buffers and cycles are dropped or summarised;
 * - actor refs are replaced by inert stand-ins (`InspectedActorRef`) whose snapshot and
 *   definition are read through the same sanitizer, because inspectors such as
 *   `@statelyai/inspect` read `actorRef.getSnapshot()` and `actorRef.logic.config` themselves.
 *
 * The machine already holds metadata only; this is the second line of defence.
 */
import type { InspectionEvent } from 'xstate';
import { maskSecrets } from '../oauth/mask-secrets.js';
import type { InspectedActorRef } from './types.js';

/** Known secrets: a list, or a function read whenever a value is sanitized (e.g. a lazy snapshot). */
export type SecretSource = readonly string[] | (() => readonly string[]);

export const REDACTED = '[redacted]';
const MAX_DEPTH = 10;
const MAX_DEFINITION_DEPTH = 32;
const MAX_PARENT_CHAIN = 8;

/** Keys whose values are credentials wherever they appear (compared lower-cased, `-`/`_` ignored). */
const SECRET_KEYS = new Set([
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'access',
  'refresh',
  'token',
  'apikey',
  'key',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'password',
  'secret',
  'clientsecret',
  'codeverifier',
]);

/** Dropped outright: stack traces carry paths and source text, never anything an inspector needs. */
const DROP_KEYS = new Set(['stack']);

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
}

function resolveSecrets(secrets: SecretSource): readonly string[] {
  return typeof secrets === 'function' ? secrets() : secrets;
}

function redact(value: unknown): unknown {
  // Blank and absent values are kept: "the CLI blanked its token" is worth seeing, and is no secret.
  if (value === undefined || value === null || value === '') return value;
  return REDACTED;
}

interface ActorRefLike {
  id?: unknown;
  sessionId: string;
  send: (...args: never[]) => unknown;
  getSnapshot?: () => unknown;
  logic?: { config?: unknown };
  _parent?: unknown;
}

function isActorRef(value: unknown): value is ActorRefLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { sessionId?: unknown }).sessionId === 'string' &&
    typeof (value as { send?: unknown }).send === 'function'
  );
}

function sanitizeError(error: Error, secrets: readonly string[], depth: number, seen: WeakSet<object>) {
  const out: Record<string, unknown> = { name: error.name };
  for (const [key, item] of Object.entries(error)) {
    if (DROP_KEYS.has(key) || key.startsWith('_') || typeof item === 'function') continue;
    out[key] = isSecretKey(key) ? redact(item) : walk(item, secrets, depth + 1, seen);
  }
  out.message = maskSecrets(error.message, secrets);
  // `cause` is usually non-enumerable (set by the Error constructor); keep it, sanitized.
  if (error.cause !== undefined) out.cause = walk(error.cause, secrets, depth + 1, seen);
  return out;
}

function walk(value: unknown, secrets: readonly string[], depth: number, seen: WeakSet<object>): unknown {
  switch (typeof value) {
    case 'string':
      return maskSecrets(value, secrets);
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      return value.toString();
    case 'symbol':
      return maskSecrets(value.toString(), secrets);
    case 'function':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (depth > MAX_DEPTH) return '[depth]';
  if (seen.has(object)) return '[circular]';
  if (isActorRef(object))
    return { id: maskSecrets(String(object.id ?? ''), secrets), sessionId: object.sessionId };
  if (ArrayBuffer.isView(object)) return `[binary ${object.byteLength} bytes]`;
  if (object instanceof ArrayBuffer) return `[binary ${object.byteLength} bytes]`;
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof URL) return maskSecrets(object.href, secrets);
  if (object instanceof Promise) return '[Promise]';
  seen.add(object);
  try {
    if (object instanceof Error) return sanitizeError(object, secrets, depth, seen);
    if (Array.isArray(object)) return object.map((item) => walk(item, secrets, depth + 1, seen));
    if (object instanceof Set) return [...object].map((item) => walk(item, secrets, depth + 1, seen));
    const entries =
      object instanceof Map ? [...object].map(([k, v]) => [String(k), v]) : Object.entries(object);
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries as Array<[string, unknown]>) {
      if (DROP_KEYS.has(key) || key.startsWith('_') || typeof item === 'function') continue;
      out[maskSecrets(key, secrets)] = isSecretKey(key) ? redact(item) : walk(item, secrets, depth + 1, seen);
    }
    return out;
  } finally {
    // Only cycles are refused: the same object reached twice along different paths is fine.
    seen.delete(object);
  }
}

/** A deep, plain, secret-free copy of any value. */
export function sanitizeValue(value: unknown, secrets: SecretSource = []): unknown {
  return walk(value, resolveSecrets(secrets), 0, new WeakSet());
}

/**
 * What an inspector draws of a snapshot: status, value, context, output, error and (for
 * invoked promise actors) input. Children, history and machine internals are left out.
 */
export function sanitizeSnapshot(snapshot: unknown, secrets: SecretSource = []): unknown {
  if (!snapshot || typeof snapshot !== 'object') return snapshot;
  const { status, value, context, output, error, input } = snapshot as Record<string, unknown>;
  const picked: Record<string, unknown> = { status, value, context, output, error, input };
  for (const key of Object.keys(picked)) if (picked[key] === undefined) delete picked[key];
  return sanitizeValue(picked, secrets);
}

/**
 * A machine's config as the Stately inspector wants it (states, transitions, named guards and
 * actions), with functions replaced by `{ type: name }` — as `@statelyai/inspect` does — and
 * every string masked. Definitions are code, not data, but nothing leaves unmasked.
 */
export function sanitizeDefinition(config: unknown, secrets: SecretSource = []): unknown {
  const known = resolveSecrets(secrets);
  const seen = new WeakSet<object>();
  const visit = (value: unknown, depth: number): unknown => {
    if (typeof value === 'function') return { type: value.name || 'inline' };
    if (typeof value === 'string') return maskSecrets(value, known);
    if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? String(value) : value;
    if (depth > MAX_DEFINITION_DEPTH) return '[depth]';
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => visit(item, depth + 1));
      if (isActorRef(value)) return { id: value.id, sessionId: value.sessionId };
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        out[key] = isSecretKey(key) && typeof item !== 'object' ? redact(item) : visit(item, depth + 1);
      }
      return out;
    } finally {
      seen.delete(value);
    }
  };
  return visit(config, 0);
}

/** Marks the stand-ins this module makes, so sanitizing an already sanitized event keeps them. */
const INSPECTED = Symbol('oauth-recovery.inspectedActorRef');

function isInspectedActorRef(value: unknown): value is InspectedActorRef {
  return typeof value === 'object' && value !== null && INSPECTED in value;
}

function safeSnapshotOf(actorRef: ActorRefLike, secrets: SecretSource): unknown {
  let snapshot: unknown;
  try {
    snapshot = actorRef.getSnapshot?.();
  } catch {
    snapshot = undefined;
  }
  // XState announces an actor (`@xstate.actor`) before its first snapshot exists.
  return snapshot === undefined ? { status: 'active' } : sanitizeSnapshot(snapshot, secrets);
}

/**
 * An inert stand-in for an actor ref: `id`, `sessionId`, its parent chain, its machine
 * definition (sanitized) and a `getSnapshot()` that reads the live snapshot through the
 * sanitizer. It cannot be sent events, and `JSON.stringify` gives `{ id, sessionId }`.
 */
export function toInspectedActorRef(
  actorRef: unknown,
  secrets: SecretSource = [],
  chain = 0,
): InspectedActorRef {
  if (isInspectedActorRef(actorRef)) return actorRef;
  const live = isActorRef(actorRef) ? actorRef : undefined;
  const rawSessionId = (actorRef as { sessionId?: unknown } | null)?.sessionId;
  const sessionId = typeof rawSessionId === 'string' ? rawSessionId : 'unknown';
  const id = maskSecrets(String(live?.id ?? sessionId), resolveSecrets(secrets));
  const stand: InspectedActorRef = {
    id,
    sessionId,
    getSnapshot: () => (live ? safeSnapshotOf(live, secrets) : undefined),
    toJSON: () => ({ id, sessionId }),
  };
  Object.defineProperty(stand, INSPECTED, { value: true });
  if (!live) return stand;
  const config = live.logic?.config;
  // Promise and callback logic carry their implementation as `config`: a function, not a definition.
  if (config && typeof config === 'object') stand.logic = { config: sanitizeDefinition(config, secrets) };
  if (isActorRef(live._parent) && chain < MAX_PARENT_CHAIN) {
    stand._parent = toInspectedActorRef(live._parent, secrets, chain + 1);
  }
  return stand;
}

/**
 * A copy of an XState inspection event that is safe to hand to any inspector. `type` and
 * `rootId` are kept; `actorRef`/`sourceRef` become `InspectedActorRef`s; `event`, `action`
 * and any other field are sanitized values; `snapshot` keeps what an inspector draws;
 * `_`-prefixed internals (`_transitions`) are dropped. Sanitizing twice is harmless.
 */
export function sanitizeInspectionEvent(event: InspectionEvent, secrets: SecretSource = []): InspectionEvent {
  const known = resolveSecrets(secrets);
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key.startsWith('_')) continue;
    if (key === 'type' || key === 'rootId') copy[key] = typeof value === 'string' ? value : String(value);
    else if (key === 'actorRef' || key === 'sourceRef')
      copy[key] = value === undefined ? undefined : toInspectedActorRef(value, secrets);
    else if (key === 'snapshot') copy[key] = sanitizeSnapshot(value, known);
    else copy[key] = sanitizeValue(value, known);
  }
  return copy as unknown as InspectionEvent;
}
