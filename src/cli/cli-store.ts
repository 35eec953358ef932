/**
 * The profile store of a CLI run: the file store, or the Redis fleet store when `--store` /
 * `OAUTH_RECOVERY_STORE` is a `redis://` / `rediss://` URL (token key from
 * `OAUTH_RECOVERY_REDIS_KEY`, local mirror `redis-mirror.json` next to our own store file).
 */
import { createFileProfileStore } from '../store/file-profile-store.js';
import { createRedisProfileStore, type RedisProfileStore } from '../store/redis/index.js';
import type { ProfileStore } from '../store/types.js';
import type { CliConfig } from './config.js';

/** A store opened for one CLI run; `close` ends a Redis store's connections (a no-op for a file). */
export interface CliStore {
  store: ProfileStore;
  /** The same store when it is Redis (for `fleetStatus`), else null. */
  redis: RedisProfileStore | null;
  close(): Promise<void>;
}

/**
 * @throws RedisStoreError for a Redis URL without a valid `OAUTH_RECOVERY_REDIS_KEY`; a Redis
 *   store's operations reject with MissingDependencyError when `@redis/client` is not installed.
 */
export function openCliStore(config: CliConfig, now: () => number = Date.now): CliStore {
  if (config.storeUrl === null) {
    return {
      store: createFileProfileStore({ path: config.storePath, now }),
      redis: null,
      close: async () => {},
    };
  }
  const redis = createRedisProfileStore({ url: config.storeUrl, env: config.env, now });
  return { store: redis, redis, close: () => redis.close() };
}
