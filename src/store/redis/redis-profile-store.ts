/**
 * The profile store on Redis, for a fleet of hosts sharing one login behind `ProfileStore`.
 *
 * - Every change runs under the profile's lease (lease.ts), re-reads the record, heals it from
 *   this host's mirror when the store regressed (a failover lost a commit), and commits by
 *   compare-and-set on the version it read; a pair replacing the refresh token just spent always
 *   lands. `decideCredentialWrite` still gates every write: never wipe, never downgrade.
 * - A refresh token is marked as being spent before it is sent (`beforeSpend`); a token the
 *   endpoint refused goes into the fleet's dead set, so no host sends it again.
 * - The credential is made durable in the local mirror before the commit, and the commit waits
 *   out a reconnect (bounded by `operationTimeoutMs`); `WAIT` follows when asked for.
 * - Tokens are sealed with AES-256-GCM; the change channel carries versions and fingerprints.
 */
import { decideCredentialWrite, isCredentialFresher } from '../../credentials/freshness.js';
import type { OAuthCredential } from '../../credentials/types.js';
import { DowngradeRefusedError, LockCompromisedError, RedisStoreError, RefreshError } from '../../errors.js';
import type { ProfileStore, ProfileUsage } from '../types.js';
import { openRecord, type StoredRecord, sealRecord } from './credential-record.js';
import { type FleetStatus, readFleetStatus } from './fleet-status.js';
import { type ProfileKeys, profileKeys } from './keys.js';
import { acquireLease, type HeldLease } from './lease.js';
import { createLocalMirror, type LocalMirror } from './local-mirror.js';
import { createStoreClient, type StoreRedisClient } from './redis-client.js';
import { type RedisProfileStoreOptions, resolveRedisOptions } from './store-options.js';
import { watchStore } from './store-watch.js';
import { createTokenCipher } from './token-cipher.js';
import { readUsageHash, usageWrites } from './usage-hash.js';

/** The Redis store: a `ProfileStore` plus fleet status and a way to close its connections. */
export interface RedisProfileStore extends ProfileStore {
  /** `redis://host:port/db (prefix …)`, without credentials. */
  readonly location: string;
  /** This process's name in leases and spend markers. */
  readonly holderId: string;
  /** Lease holder, version, committer and replication lag of a profile (for status/doctor). */
  fleetStatus(profileId: string): Promise<FleetStatus>;
  /** Closes the connections; pending work fails with RedisStoreError. */
  close(): Promise<void>;
}

/**
 * Opens the Redis store lazily: the first operation connects (and loads `@redis/client`).
 * @throws RedisStoreError at once for a bad URL or a missing/malformed encryption key; later
 *   operations reject with MissingDependencyError (no `@redis/client`), RedisStoreError
 *   (unreachable, undecryptable), LockTimeoutError (lease busy) or DowngradeRefusedError.
 */
export function createRedisProfileStore(options: RedisProfileStoreOptions): RedisProfileStore {
  const config = resolveRedisOptions(options);
  const { location, now, marginMs } = config;
  const cipher = createTokenCipher(config.key);
  const mirror: LocalMirror | null = config.mirrorPath
    ? createLocalMirror({ path: config.mirrorPath, now, marginMs })
    : null;
  const touched = new Set<string>();
  const spending = new Map<string, string>();
  const rechecks = new Set<() => void>();
  const watchers = new Set<() => void>();
  let clients: Promise<StoreRedisClient> | undefined;
  let closed = false;

  function connect() {
    if (closed) return Promise.reject(new RedisStoreError(location, 'the store was closed'));
    clients ??= (async () => {
      const main = await createStoreClient({
        url: config.url,
        onError: (error) => config.onWarning('redisError', { location, message: error.message }),
        onReconnect: () => {
          for (const recheck of rechecks) recheck();
        },
      });
      main.connect().catch(() => undefined); // the first command waits in the offline queue
      return main;
    })();
    return clients;
  }

  /** One bounded operation: an unreachable server becomes RedisStoreError after operationTimeoutMs. */
  async function op<T>(what: string, run: (client: StoreRedisClient) => Promise<T>): Promise<T> {
    const client = await connect();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new RedisStoreError(location, `${what}: no answer within ${config.operationTimeoutMs} ms`)),
        config.operationTimeoutMs,
      );
    });
    const work = run(client);
    work.catch(() => undefined);
    try {
      return await Promise.race([work, deadline]);
    } catch (error) {
      if (error instanceof RedisStoreError) throw error;
      throw new RedisStoreError(location, `${what}: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  async function readRecord(keys: ProfileKeys): Promise<StoredRecord> {
    const hash = await op('read', (client) => client.hGetAll(keys.cred));
    try {
      return openRecord(cipher, keys.cred, hash as Record<string, string>);
    } catch (error) {
      throw new RedisStoreError(location, `${keys.cred}: ${(error as Error).message}`, {
        hint: 'Every host must use the same OAUTH_RECOVERY_REDIS_KEY.',
      });
    }
  }

  function keysOf(profileId: string): ProfileKeys {
    touched.add(profileId);
    return profileKeys(config.keyPrefix, profileId);
  }

  /**
   * Commits `write` over the record read at `record.version`. On a version conflict the gate
   * decides again against what is stored now. Returns the version committed (or found).
   */
  async function commit(
    profileId: string,
    keys: ProfileKeys,
    lease: HeldLease,
    record: StoredRecord,
    write: OAuthCredential,
    replacesSpent: string | undefined,
  ): Promise<void> {
    const spentDigest = replacesSpent ? cipher.digest(replacesSpent) : '';
    let read = record;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const sealed = sealRecord(cipher, keys.cred, write, {
        writer: config.holderId,
        fence: lease.fence,
        at: now(),
      });
      const [status, version] = await op('commit', (client) =>
        client.commit(keys, lease.value, read.version, spentDigest, sealed, config.deadTokenTtlMs),
      );
      if (status === 'ok') {
        if (config.waitForReplicas) await waitForReplicas(Number(version));
        return;
      }
      if (status === 'lost') throw new LockCompromisedError(keys.lease);
      read = await readRecord(keys);
      const decision = decideCredentialWrite(write, read.credential, now(), marginMs, { replacesSpent });
      if (decision.action === 'noop') return;
      if (decision.action === 'refuse')
        throw new DowngradeRefusedError(`${location} profile ${profileId}`, decision.reason);
    }
    throw new RedisStoreError(location, `${keys.cred}: the version kept changing during the commit`);
  }

  async function waitForReplicas(version: number): Promise<void> {
    const { replicas, timeoutMs } = config.waitForReplicas as { replicas: number; timeoutMs: number };
    const acked = await op('WAIT', (client) => client.wait(replicas, timeoutMs));
    if (acked < replicas) config.onWarning('replicasBehind', { location, version, acked, wanted: replicas });
  }

  /** Under the lease: put this host's mirrored credential back when the store lost it. */
  async function heal(profileId: string, keys: ProfileKeys, lease: HeldLease, record: StoredRecord) {
    const better = await mirror?.fresherThan(profileId, record.credential);
    if (!better) return record;
    // A pair whose refresh token was spent or refused is dead, however late its expiry.
    const dead = await op('read dead set', (client) =>
      client.sIsMember(keys.dead, cipher.digest(better.refreshToken)),
    );
    if (dead) return record;
    await commit(profileId, keys, lease, record, better, undefined);
    config.onWarning('healedFromMirror', { location, profileId, version: record.version });
    return readRecord(keys);
  }

  async function underLease<T>(profileId: string, fn: (keys: ProfileKeys, lease: HeldLease) => Promise<T>) {
    const keys = keysOf(profileId);
    const client = await connect();
    const lease = await acquireLease(client, keys, config.holderId, config.lease);
    try {
      return await fn(keys, lease);
    } finally {
      await lease.release();
    }
  }

  const store: RedisProfileStore = {
    location,
    holderId: config.holderId,

    async readCredential(profileId) {
      const record = await readRecord(keysOf(profileId));
      if (record.credential) await mirror?.remember(profileId, record.credential);
      const better = await mirror?.fresherThan(profileId, record.credential);
      return better ?? record.credential;
    },

    async readUsage(profileId) {
      const hash = await op('read usage', (client) => client.hGetAll(keysOf(profileId).usage));
      return readUsageHash(hash as Record<string, string>, now());
    },

    async updateCredential(profileId, fn) {
      const afterLease: OAuthCredential[] = [];
      const outcome = await underLease(profileId, async (keys, lease) => {
        const record = await heal(profileId, keys, lease, await readRecord(keys));
        try {
          const { write, result, replacesSpent } = await fn(record.credential);
          if (!write) {
            // Mirroring an adopted pair is local bookkeeping: after the lease, not under it.
            if (record.credential) afterLease.push(record.credential);
            return result;
          }
          const decision = decideCredentialWrite(write, record.credential, now(), marginMs, {
            replacesSpent,
          });
          if (decision.action === 'refuse') {
            throw new DowngradeRefusedError(`${location} profile ${profileId}`, decision.reason);
          }
          if (decision.action === 'noop') return result;
          // Durable on this host before anything that can wait on the network.
          await mirror?.remember(profileId, write, replacesSpent);
          await commit(profileId, keys, lease, record, write, replacesSpent);
          return result;
        } catch (error) {
          const digest = spending.get(profileId);
          if (digest && error instanceof RefreshError && error.kind === 'permanent') {
            await op('mark dead', (client) => client.markDead(keys, digest, config.deadTokenTtlMs)).catch(
              () => undefined,
            );
          }
          throw error;
        } finally {
          spending.delete(profileId);
        }
      });
      for (const credential of afterLease)
        await mirror?.remember(profileId, credential).catch(() => undefined);
      return outcome;
    },

    async beforeSpend(profileId, refreshToken) {
      const keys = keysOf(profileId);
      const digest = cipher.digest(refreshToken);
      const [status, detail] = await op('spend marker', (client) =>
        client.beginSpend(keys, digest, config.holderId, now(), config.spendMarkerTtlMs),
      );
      if (status === 'dead') {
        throw new RefreshError(
          'permanent',
          'the refresh token was already refused (invalid_grant) on another host',
          {
            oauthError: 'invalid_grant',
          },
        );
      }
      if (status === 'exhausted') {
        throw new RefreshError(
          'permanent',
          `the refresh token was being spent by ${detail}, which stopped mid-refresh, and was already retried once`,
        );
      }
      if (detail === 'takeover') config.onWarning('spendTakeover', { location, profileId });
      spending.set(profileId, digest);
    },

    recordUsage(profileId, patch) {
      return underLease(profileId, async (keys, lease) => {
        const stored = (await op('read usage', (client) => client.hGetAll(keys.usage))) as Record<
          string,
          string
        >;
        const changes = typeof patch === 'function' ? patch(readUsageHash(stored, now())) : patch;
        const writes = usageWrites(changes, stored, now());
        if (writes.length === 0) return;
        const written = await op('write usage', (client) => client.writeUsage(keys, lease.value, writes));
        if (!written) throw new LockCompromisedError(keys.lease);
      });
    },

    watch(onChange) {
      let stopped = false;
      let stopWatcher: (() => void) | undefined;
      const stopAll = () => {
        stopped = true;
        stopWatcher?.();
        watchers.delete(stopAll);
      };
      watchers.add(stopAll);
      void (async () => {
        const main = await connect();
        const subscriber = main.duplicate();
        subscriber.on('error', () => undefined);
        await subscriber.connect();
        const watcher = watchStore({
          subscriber,
          pattern: `${config.keyPrefix}:{*}:changed`,
          pollIntervalMs: config.pollIntervalMs,
          onChange,
          readVersions: async () => {
            const versions = new Map<string, number>();
            for (const profileId of touched) {
              versions.set(profileId, Number((await main.hGet(keysOf(profileId).cred, 'version')) ?? 0));
            }
            return versions;
          },
          // A failover lost commits: put this host's mirrored credential back (under the lease).
          onRegression: (profileId) =>
            void store
              .updateCredential(profileId, () => ({ write: null, result: null }))
              .catch(() => undefined),
        });
        rechecks.add(watcher.recheck);
        stopWatcher = () => {
          watcher.stop();
          rechecks.delete(watcher.recheck);
          if (subscriber.isOpen) subscriber.destroy();
        };
        if (stopped) stopWatcher();
      })().catch((error: unknown) => config.onWarning('watchFailed', { location, message: String(error) }));
      return stopAll;
    },

    fleetStatus: (profileId) => op('status', (client) => readFleetStatus(client, keysOf(profileId), now())),

    async close() {
      closed = true;
      for (const stop of [...watchers]) stop();
      const open = clients;
      clients = undefined;
      if (!open) return;
      const client = await open;
      // Let answered work finish, but never wait on an unreachable server: destroy after a bound.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        client.close().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.min(1_000, config.operationTimeoutMs));
        }),
      ]);
      clearTimeout(timer);
      if (client.isOpen) client.destroy();
    },
  };
  return store;
}
