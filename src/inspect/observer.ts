/** Calling an `InspectOption` (a function or an observer), and fanning one stream out to several. */
import type { InspectionEvent } from 'xstate';
import type { InspectOption } from './types.js';

/** Delivers one inspection event to an observer or function. */
export function deliverInspectionEvent(target: InspectOption, event: InspectionEvent): void {
  if (typeof target === 'function') target(event);
  else target.next?.(event);
}

/**
 * One `inspect` option feeding several inspectors (e.g. the Stately inspector and the offline
 * page). An inspector that throws does not starve the others.
 */
export function combineInspectors(
  ...targets: Array<InspectOption | undefined | null | false>
): InspectOption {
  const live = targets.filter((target): target is InspectOption => Boolean(target));
  return {
    next(event) {
      for (const target of live) {
        try {
          deliverInspectionEvent(target, event);
        } catch {
          // An inspector is a window onto the machine; it must never break the machine.
        }
      }
    },
  };
}
