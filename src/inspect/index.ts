/** Inspection: sanitized XState inspection events for the Stately inspector and the offline page. */
export { sanitizeInspectionEvent, sanitizeValue } from './sanitize.js';
export type { InspectOption } from './types.js';
