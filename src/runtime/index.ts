/** The runtime an agent embeds: `createAuthRecovery` and its option and snapshot types. */
export {
  type AuthRecovery,
  type AuthRecoveryEvent,
  type AuthRecoverySnapshot,
  createAuthRecovery,
  type RecoveryStateName,
} from './create-auth-recovery.js';
export { type AuthRecoveryOptions, DEFAULT_PROFILE_ID, type RecoveryMode } from './options.js';
