/**
 * The profile store on Redis, for a fleet of hosts sharing one login behind `ProfileStore`.
 *
 * - Every change runs under the profile's lease (lease.ts), re-reads the record, heals it from
 *   this host's mirror when the store regressed (a failover lost a commit), and commits by
 *   compare-and-set on the version it read; a pair replacing the refresh token just spent always
 *   lands. `decideCredentialWrite` still gates every write: never wipe, never downgrade.
 * - A refresh token is marked as being spent before it is sent (`beforeSpend`); a token the
 *   endpoint refused (`spendRefused`, on every refresh path) goes into the fleet's dead set, so
 *   no host sends it again.
 * - The credential is made durable in the local mirror before the commit, and the commit waits
 *   out a reconnect (bounded by `operationTimeoutMs`); `WAIT` follows when asked for.
 * - Tokens are sealed with AES-256-GCM; the change channel carries versions and fingerprints.
 */
import { decideCredentialWrite } from '../../credentials/freshness.js';
import type { OAuthCredential } from '../../credentials/types.js';
import { DowngradeRefusedError, LockCompromisedError, RefreshError } from '../../errors.js';
import type { ProfileStore } from '../types.js';
import { type CommitContext, commitCredential, healFromMirror, readRecord } from './credential-commit.js';
import { readFleetStatus } from './fleet-status.js';
import type { FleetStatus } from './fleet-status-shape.js';
import { type ProfileKeys, profileKeys } from './keys.js';
import { acquireLease, type HeldLease } from './lease.js';
import { createLocalMirror, type LocalMirror } from './local-mirror.js';
import { createStoreConnection } from './store-connection.js';
import { type RedisProfileStoreOptions, resolveRedisOptions } from './store-options.js';
import { watchStore } from './store-watch.js';
import { createTokenCipher } from './token-cipher.js';
import { readUsageHash, usageWrites } from './usage-hash.js';
import { checkRedisWritable } from './writable-check.js';

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
  const watchers = new Set<() => void>();
  const connection = createStoreConnection(config);
  const ctx: CommitContext = { connection, cipher, config, mirror };
  const { op } = connection;

  function keysOf(profileId: string): ProfileKeys {
    touched.add(profileId);
    return profileKeys(config.keyPrefix, profileId);
  }

  async function underLease<T>(profileId: string, fn: (keys: ProfileKeys, lease: HeldLease) => Promise<T>) {
    const keys = keysOf(profileId);
    const client = await connection.client();
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
      const record = await readRecord(ctx, keysOf(profileId));
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
        const record = await healFromMirror(ctx, profileId, keys, lease, await readRecord(ctx, keys));
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
        await commitCredential(ctx, profileId, keys, lease, record, write, replacesSpent);
        return result;
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
    },

    async spendRefused(profileId, refreshToken) {
      const keys = keysOf(profileId);
      const digest = cipher.digest(refreshToken);
      await op('mark dead', (client) => client.markDead(keys, digest, config.deadTokenTtlMs)).catch(
        (error: unknown) =>
          config.onWarning('markDeadFailed', { location, profileId, message: String(error) }),
      );
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

    // A write under each profile's hash tag must land now (writable-check.ts says what that covers).
    checkWritable: () =>
      checkRedisWritable(
        connection,
        location,
        [...(touched.size > 0 ? touched : ['probe'])].map((id) => profileKeys(config.keyPrefix, id).probe),
        config.holderId,
      ),

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
        const main = await connection.client();
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
        const stopRechecks = connection.onReconnect(watcher.recheck);
        stopWatcher = () => {
          watcher.stop();
          stopRechecks();
          if (subscriber.isOpen) subscriber.destroy();
        };
        if (stopped) stopWatcher();
      })().catch((error: unknown) => config.onWarning('watchFailed', { location, message: String(error) }));
      return stopAll;
    },

    fleetStatus: (profileId) => op('status', (client) => readFleetStatus(client, keysOf(profileId), now())),

    async close() {
      for (const stop of [...watchers]) stop();
      await connection.close();
    },
  };
  return store;
}
