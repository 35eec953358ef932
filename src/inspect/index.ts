/**
 * Inspection: sanitized XState inspection events for the Stately inspector (online, through a
 * loopback relay) and for the offline inspector page (air-gapped hosts). See docs/inspector.md.
 */
export { InspectorTokenError } from './access-token.js';
export type { ConnectionLimits } from './connection-guard.js';
export {
  createInspectionFeed,
  type InspectionFeed,
  type LiveState,
  type LogEntry,
} from './inspection-feed.js';
export { DEFAULT_INSPECTOR_HOST, InspectorBindRefusedError, isLoopbackHost } from './loopback.js';
export { combineInspectors, deliverInspectionEvent } from './observer.js';
export {
  type OfflineInspector,
  type OfflineInspectorOptions,
  startOfflineInspector,
} from './offline-server.js';
export {
  REDACTED,
  type SecretSource,
  sanitizeDefinition,
  sanitizeInspectionEvent,
  sanitizeSnapshot,
  sanitizeValue,
  toInspectedActorRef,
} from './sanitize.js';
export {
  connectStatelyInspector,
  type StatelyInspector,
  type StatelyInspectorOptions,
  type StatelyRelayStats,
} from './stately.js';
export type { InspectedActorRef, InspectOption } from './types.js';
