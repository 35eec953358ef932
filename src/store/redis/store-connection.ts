/**
 * The store's one connection to Redis: opened on first use, every operation bounded by
 * `operationTimeoutMs` (an unreachable server becomes RedisStoreError naming the operation, while
 * the client keeps reconnecting), listeners told when the connection is ready again after a loss,
 * and a close that never waits on an unreachable server.
 */
import { RedisStoreError } from '../../errors.js';
import { createStoreClient, type StoreRedisClient } from './redis-client.js';
import type { ResolvedRedisOptions } from './store-options.js';

export interface StoreConnection {
  /** The connected (or connecting) client. @throws RedisStoreError after close(). */
  client(): Promise<StoreRedisClient>;
  /** Runs one command or script, bounded. @throws RedisStoreError (unreachable, closed, failed). */
  op<T>(what: string, run: (client: StoreRedisClient) => Promise<T>): Promise<T>;
  /** Calls `listener` whenever the connection is ready again after a loss. Returns unsubscribe. */
  onReconnect(listener: () => void): () => void;
  close(): Promise<void>;
}

export function createStoreConnection(config: ResolvedRedisOptions): StoreConnection {
  const { location } = config;
  const reconnectListeners = new Set<() => void>();
  let opened: Promise<StoreRedisClient> | undefined;
  let closed = false;
  /** The client's latest connection error (e.g. `connect ECONNREFUSED 127.0.0.1:6379`). */
  let connectionError: string | undefined;

  /**
   * An operation that failed while the client is not connected: the reason names the connection
   * error (a command cut off that way fails with an empty message) and the fix the server.
   */
  function unreachable(what: string, cause: unknown): RedisStoreError {
    const server = serverAddress(config.url);
    return new RedisStoreError(
      location,
      `${what}: cannot reach the server at ${server} (${connectionError})`,
      {
        cause,
        hint: `Is redis-server running and listening at ${server}, and reachable from this host? Check the URL given to --store / OAUTH_RECOVERY_STORE (host, port, redis:// or rediss://).`,
      },
    );
  }

  function client(): Promise<StoreRedisClient> {
    if (closed) return Promise.reject(new RedisStoreError(location, 'the store was closed'));
    opened ??= createStoreClient({
      url: config.url,
      onError: (error) => {
        connectionError = error.message || error.name;
        config.onWarning('redisError', { location, message: error.message });
      },
      onReconnect: () => {
        connectionError = undefined;
        for (const listener of reconnectListeners) listener();
      },
    }).then(
      (created) => {
        created.connect().catch(() => undefined); // commands wait in the offline queue meanwhile
        return created;
      },
      (error: unknown) => {
        opened = undefined; // e.g. MissingDependencyError: the next operation tries again
        throw error;
      },
    );
    return opened;
  }

  return {
    client,

    async op(what, run) {
      const connected = await client();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new RedisStoreError(location, `${what}: no answer within ${config.operationTimeoutMs} ms`),
            ),
          config.operationTimeoutMs,
        );
      });
      const work = run(connected);
      work.catch(() => undefined);
      try {
        return await Promise.race([work, deadline]);
      } catch (error) {
        if (connectionError !== undefined && !connected.isReady) throw unreachable(what, error);
        if (error instanceof RedisStoreError) throw error;
        const message = (error as Error).message || (error as Error).name || 'failed';
        throw new RedisStoreError(location, `${what}: ${message}`, { cause: error });
      } finally {
        clearTimeout(timer);
      }
    },

    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },

    async close() {
      closed = true;
      const open = opened;
      opened = undefined;
      if (!open) return;
      // A client that never opened (no `@redis/client`) has nothing to close.
      const connected = await open.catch(() => null);
      if (!connected) return;
      // Let answered work finish, but never wait on an unreachable server: destroy after a bound.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        connected.close().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.min(1_000, config.operationTimeoutMs));
        }),
      ]);
      clearTimeout(timer);
      if (connected.isOpen) connected.destroy();
    },
  };
}

/** `host:port` of a `redis://` URL, without credentials (port 6379 when none is given). */
function serverAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return 'the configured server';
  }
}
