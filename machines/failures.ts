/**
 * How the machine reads an actor's error: its kind (permanent or transient), any Retry-After,
 * and a short secret-free label. Pure; anything unrecognised counts as transient.
 */
import type { ClassifiableError } from './recovery.types.js';

/** Reads the failure kind off an actor error; anything unrecognised is treated as transient. */
export function classifyFailure(error: unknown): {
  kind: 'permanent' | 'transient';
  retryAfterMs: number | null;
} {
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as ClassifiableError;
  const retryAfterMs =
    // Stryker disable next-line ConditionalExpression: equivalent — Number.isFinite does not coerce, so it is false for every non-number; the typeof test narrows the type.
    typeof candidate.retryAfterMs === 'number' && Number.isFinite(candidate.retryAfterMs)
      ? candidate.retryAfterMs
      : null;
  return { kind: candidate.kind === 'permanent' ? 'permanent' : 'transient', retryAfterMs };
}

/** A short, secret-free label for an error: its code, or its class name. */
export function describeFailure(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return 'Error';
}
