/**
 * The listeners of `auth.on(type, handler)`. Kept by the runtime rather than on the XState actor,
 * so handlers can be added before `start()` (like `subscribe()`) and outlive nothing.
 */
import type { RecoveryEmitted } from '../../machines/index.js';

/** A handler for one emitted event type, or for all of them (`'*'`). */
export type EmittedHandler<K extends RecoveryEmitted['type']> = (
  event: Extract<RecoveryEmitted, { type: K }>,
) => void;

/** Handlers by event type; `dispatch` calls the type's handlers, then the `'*'` ones. */
export class EmittedEvents {
  private readonly handlers = new Map<string, Set<(event: RecoveryEmitted) => void>>();

  /** Adds `handler` for `type` (or every type with `'*'`); returns the function that removes it. */
  on<K extends RecoveryEmitted['type']>(type: K | '*', handler: EmittedHandler<K>): () => void {
    const generic = handler as (event: RecoveryEmitted) => void;
    let set = this.handlers.get(type);
    if (!set) {
      set = new Set();
      this.handlers.set(type, set);
    }
    set.add(generic);
    return () => {
      set.delete(generic);
    };
  }

  /** Calls every handler registered for `event.type` and for `'*'`, in the order they were added. */
  dispatch(event: RecoveryEmitted): void {
    for (const handler of [...(this.handlers.get(event.type) ?? []), ...(this.handlers.get('*') ?? [])]) {
      handler(event);
    }
  }
}
