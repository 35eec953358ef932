/** The pure recovery core: the machine, its vocabulary, and the freshness and backoff rules. */
export {
  DEFAULT_FRESHNESS_MARGIN_MS,
  type FreshnessView,
  isBlank,
  isFresher,
  isUsable,
  usableMarginMs,
  usableUntil,
} from './freshness.js';
export {
  type CredentialTiming,
  clampStoredCooldown,
  cooldownDurationMs,
  DEFAULT_POLICY,
  earliestTokenRequestAt,
  lifetimeRefreshPoint,
  MAX_TIMER_MS,
  maxTokenRequestsPerMinute,
  type RecoveryPolicy,
  remainingMs,
  resolvePolicy,
  retryBackoffMs,
} from './policies.js';
export {
  classifyFailure,
  createRecoveryMachine,
  describeFailure,
  type RecoveryMachine,
  type RecoveryMachineDeps,
  type RecoveryStateName,
} from './recovery.machine.js';
export type * from './recovery.types.js';
