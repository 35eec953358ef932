/**
 * How `createAuthRecovery({ inspect })` connects inspectors: any XState inspection observer
 * (a function, or `{ next }` such as `@statelyai/inspect`'s `inspector.inspect`). It receives
 * sanitized copies of XState's inspection events, so no token ever reaches it.
 */
import type { InspectionEvent, Observer } from 'xstate';

/** An XState inspection observer: a function or `{ next }`; it only ever sees sanitized events. */
export type InspectOption = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

/**
 * What a sanitized inspection event carries in place of an XState actor ref: identity, the
 * parent chain, the machine definition (sanitized) and a sanitized `getSnapshot()`. It cannot
 * be sent events. `JSON.stringify` renders it as `{ id, sessionId }`.
 */
export interface InspectedActorRef {
  id: string;
  sessionId: string;
  _parent?: InspectedActorRef;
  logic?: { config: unknown };
  getSnapshot(): unknown;
  toJSON(): { id: string; sessionId: string };
}
