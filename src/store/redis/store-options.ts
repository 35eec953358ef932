/**
 * Options of the Redis profile store and their resolution: defaults in one place, the
 * encryption key from the options or `OAUTH_RECOVERY_REDIS_KEY`, and a printable location with
 * the password removed.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_FRESHNESS_MARGIN_MS } from '../../credentials/freshness.js';
import { RedisStoreError } from '../../errors.js';
import { ownStorePath } from '../default-store-path.js';
import { DEFAULT_KEY_PREFIX } from './keys.js';
import { DEFAULT_LEASE_TTL_MS, type LeaseOptions } from './lease-options.js';
import { parseEncryptionKey } from './token-cipher.js';

/** The environment variable holding the 32-byte token encryption key (64 hex chars or base64). */
export const REDIS_KEY_ENV = 'OAUTH_RECOVERY_REDIS_KEY';

/** Options of `createRedisProfileStore`: the server, the token key, lease and timing (all ms). */
export interface RedisProfileStoreOptions {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS. */
  url: string;
  /** Prefix of every key. Default `oauthrec`. */
  keyPrefix?: string;
  /** 32 bytes, or 64 hex characters / base64 of them. Default: env `OAUTH_RECOVERY_REDIS_KEY`. */
  encryptionKey?: string | Uint8Array;
  /** Environment to read the key from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * This host's local mirror file (an `auth-profiles.json` of its own), or false for none.
   * Default `redis-mirror.json` next to oauth-recovery's own store file.
   */
  mirrorPath?: string | false;
  /** Names this process in leases and spend markers. Default `<hostname>:<pid>:<random>`. */
  holderId?: string;
  /** The refresh lease: lifetime `ttlMs` (default 30000 ms), `waitMs` and retry delays (ms). A wait that runs out throws `LockTimeoutError`. */
  lease?: LeaseOptions;
  /** After each commit, `WAIT replicas timeoutMs` on the writing connection. Default: no WAIT. */
  waitForReplicas?: { replicas: number; timeoutMs: number };
  /** Longest wait for one store operation (reads, a commit) while the server is unreachable. Default 10000 ms. */
  operationTimeoutMs?: number;
  /** How often `watch` polls the versions. Default 5000 ms. */
  pollIntervalMs?: number;
  /** How long a spend marker lives (the longest a token request may take, with margin). Default 5 min. */
  spendMarkerTtlMs?: number;
  /** How long refused refresh-token digests are remembered. Default 30 days. */
  deadTokenTtlMs?: number;
  /** Injected clock (freshness, cooldown expiry, commit times). Epoch ms. */
  now?: () => number;
  /** Freshness slack, ms: a token expiring within it counts as expired when a write or the mirror is weighed against the stored credential. Default 60000. */
  marginMs?: number;
  /** Warnings (unreachable server, a WAIT short of replicas, a healed regression); no token values. */
  onWarning?: (event: string, details: Record<string, unknown>) => void;
}

/** Everything resolved. */
export interface ResolvedRedisOptions {
  url: string;
  location: string;
  keyPrefix: string;
  key: Buffer;
  mirrorPath: string | null;
  holderId: string;
  lease: LeaseOptions & { ttlMs: number };
  waitForReplicas: { replicas: number; timeoutMs: number } | undefined;
  operationTimeoutMs: number;
  pollIntervalMs: number;
  spendMarkerTtlMs: number;
  deadTokenTtlMs: number;
  now: () => number;
  marginMs: number;
  onWarning: (event: string, details: Record<string, unknown>) => void;
}

/** `redis://user:secret@host:6379/0` → `redis://host:6379/0`. Unparseable → `redis://?`. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'redis://?';
  }
}

/**
 * @throws RedisStoreError for a URL that is not redis:// or rediss://, or a missing/malformed key.
 */
export function resolveRedisOptions(options: RedisProfileStoreOptions): ResolvedRedisOptions {
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const location = `${redactRedisUrl(options.url)} (prefix ${keyPrefix})`;
  if (!/^rediss?:\/\//i.test(options.url)) {
    throw new RedisStoreError(location, 'the store URL must start with redis:// or rediss://');
  }
  const env = options.env ?? process.env;
  const given = options.encryptionKey ?? env[REDIS_KEY_ENV];
  if (given === undefined || given === '') {
    throw new RedisStoreError(location, `no token encryption key (set ${REDIS_KEY_ENV})`, {
      hint: `Generate one with \`openssl rand -hex 32\`, give every host the same, and export ${REDIS_KEY_ENV}.`,
    });
  }
  const key = parseEncryptionKey(given);
  if (!key) {
    const from = options.encryptionKey === undefined ? REDIS_KEY_ENV : 'encryptionKey';
    throw new RedisStoreError(location, `${from} must be 32 bytes: 64 hex characters or base64`);
  }
  const ttlMs = options.lease?.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  return {
    url: options.url,
    location,
    keyPrefix,
    key,
    mirrorPath:
      options.mirrorPath === false
        ? null
        : (options.mirrorPath ?? path.join(path.dirname(ownStorePath({ env })), 'redis-mirror.json')),
    holderId: options.holderId ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    lease: { ...options.lease, ttlMs },
    waitForReplicas: options.waitForReplicas,
    operationTimeoutMs: options.operationTimeoutMs ?? 10_000,
    pollIntervalMs: options.pollIntervalMs ?? 5_000,
    spendMarkerTtlMs: options.spendMarkerTtlMs ?? 5 * 60_000,
    deadTokenTtlMs: options.deadTokenTtlMs ?? 30 * 24 * 3_600_000,
    now: options.now ?? Date.now,
    marginMs: options.marginMs ?? DEFAULT_FRESHNESS_MARGIN_MS,
    onWarning: options.onWarning ?? (() => undefined),
  };
}
