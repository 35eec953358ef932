/**
 * Loads `@redis/client` (an optional peer dependency) with a dynamic import, only when a Redis
 * store is opened, and connects a client with the store's scripts. A missing package is a
 * MissingDependencyError naming it. The client reconnects by itself (bounded backoff) and keeps
 * commands issued while disconnected in its offline queue; the store bounds each wait itself.
 */
import type { RedisClientType } from '@redis/client';
import { importOptional } from '../../optional-dependency.js';
import { SCRIPT_DEFINITIONS } from './scripts.js';

type Definitions = typeof SCRIPT_DEFINITIONS;
type DefinedScripts = { [K in keyof Definitions]: Definitions[K] & { SHA1: string } };

/** A connected node-redis client carrying the store's scripts as methods. */
// biome-ignore lint/complexity/noBannedTypes: node-redis's own defaults for "no modules, no functions".
export type StoreRedisClient = RedisClientType<{}, {}, DefinedScripts>;

/** How to reach the server. */
export interface RedisConnectOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /** Largest pause between reconnection attempts, ms. Default 1000. */
  maxReconnectDelayMs?: number;
  /** Connection timeout, ms. Default 5000. */
  connectTimeoutMs?: number;
  /** Called on every client error event (the client reconnects by itself). */
  onError?: (error: Error) => void;
  /** Called each time the connection becomes ready again after a loss. */
  onReconnect?: () => void;
}

type RedisModule = typeof import('@redis/client');

let loaded: Promise<RedisModule> | undefined;

/**
 * The `@redis/client` module, imported once (a failed import is tried again next time).
 * @throws MissingDependencyError when the package is not installed.
 */
export function loadRedisModule(): Promise<RedisModule> {
  loaded ??= importOptional<RedisModule>('@redis/client', 'the Redis profile store').catch(
    (error: unknown) => {
      loaded = undefined;
      throw error;
    },
  );
  return loaded;
}

/**
 * A client (not yet connected) with the store's scripts.
 * @throws MissingDependencyError when `@redis/client` is not installed.
 */
export async function createStoreClient(options: RedisConnectOptions): Promise<StoreRedisClient> {
  const redis = await loadRedisModule();
  const scripts = Object.fromEntries(
    Object.entries(SCRIPT_DEFINITIONS).map(([name, definition]) => [name, redis.defineScript(definition)]),
  ) as DefinedScripts;
  const maxDelay = options.maxReconnectDelayMs ?? 1_000;
  const client = redis.createClient({
    url: options.url,
    scripts,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      // Jittered exponential backoff, capped: a restarted server is found again within maxDelay.
      reconnectStrategy: (retries: number) =>
        Math.min(maxDelay, 2 ** Math.min(retries, 10) * 10) * (0.5 + Math.random() / 2),
    },
  }) as unknown as StoreRedisClient;
  let lost = false;
  client.on('error', (error: Error) => options.onError?.(error));
  client.on('end', () => {
    lost = true;
  });
  client.on('reconnecting', () => {
    lost = true;
  });
  client.on('ready', () => {
    if (lost) options.onReconnect?.();
    lost = false;
  });
  return client;
}
