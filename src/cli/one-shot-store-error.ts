/**
 * A store error as a one-shot command (`refresh`, `sync`) reports it: the same path and errno,
 * with a fix that says what to change and what to run next, not the runtime's "kept in memory"
 * (the process is about to exit).
 */
import { StoreError, storeErrorFix } from '../errors.js';

/**
 * Rethrows `error`, a StoreError with `next` (what to run once fixed) after its fix.
 *
 * @throws {StoreError} the same path and errno with a one-shot hint; any other error unchanged.
 */
export function rethrowOneShotStoreError(error: unknown, next: string): never {
  if (!(error instanceof StoreError)) throw error;
  throw new StoreError(error.path, error.errno, {
    cause: error.cause ?? error,
    hint: `${storeErrorFix(error.path, error.errno)} ${next}`,
  });
}
