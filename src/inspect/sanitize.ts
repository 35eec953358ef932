/**
 * Inspection events leave the process (a WebSocket, a browser page), so each one is rebuilt
 * as plain, secret-free data before any inspector sees it: strings are masked, errors are
 * reduced to name/code/kind/message, and `cause`, functions and actor internals are dropped.
 * The machine already holds metadata only; this is the second line of defence.
 */
import type { InspectionEvent } from 'xstate';
import { maskSecrets } from '../oauth/mask-secrets.js';

const DROP_KEYS = new Set(['cause', 'stack', 'accessToken', 'refreshToken', 'access_token', 'refresh_token']);

export function sanitizeValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return maskSecrets(value, secrets);
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (depth > 8) return '[depth]';
  if (value instanceof Error) {
    const { code, kind } = value as Error & { code?: unknown; kind?: unknown };
    return { name: value.name, code, kind, message: maskSecrets(value.message, secrets) };
  }
  if (Array.isArray(value)) return value.map((item) => sanitizeValue(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (DROP_KEYS.has(key) || key.startsWith('_') || typeof item === 'function') continue;
    out[key] = sanitizeValue(item, secrets, depth + 1);
  }
  return out;
}

/** Snapshot of an actor reduced to what an inspector draws: status, value, context, output. */
function sanitizeSnapshot(snapshot: unknown, secrets: readonly string[]): unknown {
  if (!snapshot || typeof snapshot !== 'object') return snapshot;
  const { status, value, context, output, error } = snapshot as Record<string, unknown>;
  return sanitizeValue({ status, value, context, output, error }, secrets);
}

/**
 * A copy of an XState inspection event that is safe to hand to any inspector. Actor refs are
 * kept (inspectors need `sessionId`, `id` and the machine definition) but their snapshots are
 * read through the sanitizer.
 */
export function sanitizeInspectionEvent(
  event: InspectionEvent,
  secrets: readonly string[] = [],
): InspectionEvent {
  const copy: Record<string, unknown> = { ...event };
  if ('event' in event) copy.event = sanitizeValue(event.event, secrets);
  if ('snapshot' in event) copy.snapshot = sanitizeSnapshot(event.snapshot, secrets);
  if ('_transitions' in copy) delete copy._transitions;
  return copy as unknown as InspectionEvent;
}
