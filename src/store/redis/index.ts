/**
 * The Redis profile store (a fleet of hosts sharing one login). Importing this module does not
 * load `@redis/client`; opening a store does (an optional peer dependency).
 */
export type { FleetStatus } from './fleet-status-shape.js';
export { DEFAULT_KEY_PREFIX, type ProfileKeys, profileKeys } from './keys.js';
export { DEFAULT_LEASE_TTL_MS, type LeaseOptions } from './lease-options.js';
export { createRedisProfileStore, type RedisProfileStore } from './redis-profile-store.js';
export {
  REDIS_KEY_ENV,
  type RedisProfileStoreOptions,
  redactRedisUrl,
} from './store-options.js';
