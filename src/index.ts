/**
 * oauth-recovery: keeps an agent's Anthropic OAuth login alive unattended.
 *
 *   const auth = createAuthRecovery();
 *   await auth.start();
 *   const reply = await auth.withAuth((token) => callAnthropic(token));
 */
export {
  type CredentialOrigin,
  type CredentialView,
  createRecoveryMachine,
  DEFAULT_POLICY,
  type FailureKind,
  maxTokenRequestsPerMinute,
  type RecoveryEmitted,
  type RecoveryEvent,
  type RecoveryPolicy,
} from '../machines/index.js';
export type { OAuthCredential } from './credentials/index.js';
export {
  type ClaudeCliReadResult,
  type ClaudeCliSource,
  createClaudeCliSource,
  fingerprintToken,
} from './credentials/index.js';
export {
  CooldownError,
  CredentialFileError,
  CredentialParseError,
  DowngradeRefusedError,
  InsecureTokenUrlError,
  KeychainError,
  LockCompromisedError,
  LockOwnedByOtherUserError,
  LockTimeoutError,
  LoggedOutError,
  LoginRequiredError,
  MissingDependencyError,
  NotStartedError,
  OAuthRecoveryError,
  type OAuthRecoveryErrorCode,
  RefreshError,
  type RefreshFailureDetails,
  type RefreshFailureKind,
  SinkError,
  StoppedError,
} from './errors.js';
export type { InspectOption } from './inspect/index.js';
export {
  type ConnectionLimits,
  combineInspectors,
  connectStatelyInspector,
  InspectorTokenError,
  type OfflineInspector,
  type OfflineInspectorOptions,
  type StatelyInspector,
  type StatelyInspectorOptions,
  type StatelyRelayStats,
  sanitizeInspectionEvent,
  startOfflineInspector,
} from './inspect/index.js';
export { createLogger, type Logger } from './logging/index.js';
export { createOAuthClient, DEFAULT_TOKEN_URL, isAuthRejection, type OAuthClient } from './oauth/index.js';
export {
  type AuthRecovery,
  type AuthRecoveryEvent,
  type AuthRecoveryOptions,
  type AuthRecoverySnapshot,
  createAuthRecovery,
  DEFAULT_PROFILE_ID,
  type RecoveryMode,
  type RecoveryStateName,
  type TimeOptions,
  type TransportOptions,
} from './runtime/index.js';
export {
  createExecSink,
  createOpenclawSink,
  createPiSink,
  createSinkPublisher,
  DEFAULT_OPENCLAW_SINK_PROFILE_ID,
  type ExecSinkOptions,
  type OpenclawSinkOptions,
  type PiSinkOptions,
  type PublishedToken,
  type Sink,
  type SinkStatus,
} from './sinks/index.js';
export type { ProfileStore, ProfileUsage, StoreUpdate } from './store/index.js';
export { createFileProfileStore, resolveDefaultStorePath } from './store/index.js';
export {
  createRedisProfileStore,
  type FleetStatus,
  REDIS_KEY_ENV,
  type RedisProfileStore,
  type RedisProfileStoreOptions,
} from './store/redis/index.js';
