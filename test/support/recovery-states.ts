/**
 * The recovery machine's top-level states, in the order the machine declares them: what the
 * graph, the diagrams and the inspector pages must all show. Spelled out here on purpose (not
 * read from the machine), so a state added or renamed fails those tests until they are updated.
 */
export const RECOVERY_STATES = [
  'initializing',
  'valid',
  'expired',
  'throttled',
  'refreshing',
  'refreshFailed',
  'syncingFromCli',
  'retrying',
  'ok',
  'cooldown',
];
