/** The runtime an agent embeds: `createAuthRecovery` and its option and snapshot types. */
export type { RecoveryStateName } from '../../machines/index.js';
export type { AuthRecovery, AuthRecoveryEvent } from './auth-recovery.js';
export { createAuthRecovery } from './create-auth-recovery.js';
export {
  type AuthRecoveryOptions,
  DEFAULT_PROFILE_ID,
  type RecoveryMode,
  type TimeOptions,
  type TransportOptions,
} from './options.js';
export type { AuthRecoverySnapshot } from './snapshot.js';
