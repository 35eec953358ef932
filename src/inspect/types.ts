/**
 * How `createAuthRecovery({ inspect })` connects inspectors: any XState inspection observer
 * (a function, or `{ next }` such as `@statelyai/inspect`'s `inspector.inspect`). It receives
 * sanitized copies of XState's inspection events, so no token ever reaches it.
 */
import type { InspectionEvent, Observer } from 'xstate';

export type InspectOption = Observer<InspectionEvent> | ((event: InspectionEvent) => void);
