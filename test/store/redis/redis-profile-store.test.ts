/**
 * The Redis store on a real redis-server (started on a loopback port, files in a temp dir):
 * encryption at rest, the version compare-and-set, the lease, never-downgrade, the spend marker
 * and the dead set, the local mirror healing a store that lost a commit, and watch.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OAuthCredential } from '../../../src/credentials/types.js';
import {
  DowngradeRefusedError,
  LockTimeoutError,
  RedisStoreError,
  RefreshError,
} from '../../../src/errors.js';
import {
  createRedisProfileStore,
  type RedisProfileStore,
  type RedisProfileStoreOptions,
} from '../../../src/store/redis/index.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';

const PROFILE = 'anthropic:claude-cli';
const KEY = randomBytes(32).toString('hex');
const HOUR = 3_600_000;
let server: RedisServer;
let dir: string;
const stores: RedisProfileStore[] = [];

beforeAll(async () => {
  server = await startRedisServer({ appendonly: false });
  dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-redis-store-'));
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.cli('FLUSHALL');
});

let counter = 0;
function open(options: Partial<RedisProfileStoreOptions> = {}): RedisProfileStore {
  counter += 1;
  const store = createRedisProfileStore({
    url: server.url,
    encryptionKey: KEY,
    mirrorPath: path.join(dir, `mirror-${counter}.json`),
    lease: { ttlMs: 2_000, waitMs: 30_000 },
    pollIntervalMs: 100,
    operationTimeoutMs: 2_000,
    ...options,
  });
  stores.push(store);
  return store;
}

function login(tag: string, expiresInMs = 8 * HOUR): OAuthCredential {
  return {
    accessToken: `sk-ant-oat01-${tag}-${randomBytes(8).toString('hex')}`,
    refreshToken: `sk-ant-ort01-${tag}-${randomBytes(8).toString('hex')}`,
    expiresAt: Date.now() + expiresInMs,
  };
}

const write = (store: RedisProfileStore, credential: OAuthCredential, replacesSpent?: string) =>
  store.updateCredential(PROFILE, () => ({ write: credential, result: null, replacesSpent }));

describe('Redis profile store', () => {
  it('stores tokens encrypted, under one hash tag, and reads them back', async () => {
    const store = open();
    const first = login('a');
    await write(store, first);
    expect(await store.readCredential(PROFILE)).toEqual(first);
    const keys = server.cli('--scan', '--pattern', '*').trim().split('\n').sort();
    expect(keys).toEqual([`oauthrec:{${PROFILE}}:cred`, `oauthrec:{${PROFILE}}:fence`]);
    const raw = server.cli('HGETALL', `oauthrec:{${PROFILE}}:cred`);
    expect(raw).not.toContain(first.accessToken);
    expect(raw).not.toContain(first.refreshToken);
    expect(raw).toMatch(/v1\./);
    expect((await store.fleetStatus(PROFILE)).version).toBe(1);
  });

  it('refuses a downgrade and treats the same token as a no-op', async () => {
    const store = open();
    const later = login('later', 8 * HOUR);
    await write(store, later);
    await expect(write(store, login('earlier', 4 * HOUR))).rejects.toBeInstanceOf(DowngradeRefusedError);
    await write(store, later);
    expect((await store.fleetStatus(PROFILE)).version).toBe(1);
    expect(await store.readCredential(PROFILE)).toEqual(later);
  });

  it('serialises read-modify-write across stores through the lease (no lost increments)', async () => {
    const [a, b] = [open(), open()];
    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        (index % 2 ? a : b).recordUsage(PROFILE, (usage) => ({ errorCount: (usage.errorCount ?? 0) + 1 })),
      ),
    );
    expect((await a.readUsage(PROFILE)).errorCount).toBe(30);
  });

  it('a commit whose lease expired meanwhile is compare-and-set: the gate decides on what is stored now', async () => {
    const [slow, fast] = [open(), open()];
    const start = login('start', 2 * HOUR);
    await write(fast, start);
    const later = login('later', 8 * HOUR);
    let release: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const slowWrite = slow.updateCredential(PROFILE, async () => {
      holding();
      await paused; // a long GC pause: the lease expires and another host writes
      return { write: login('stale', 4 * HOUR), result: null };
    });
    // The renewal keeps the slow holder's lease alive, so take it away the way an expiry would.
    await held;
    server.cli('DEL', `oauthrec:{${PROFILE}}:lease`);
    await write(fast, later);
    release();
    await expect(slowWrite).rejects.toBeInstanceOf(DowngradeRefusedError);
    expect(await fast.readCredential(PROFILE)).toEqual(later);
  });

  it('a pair replacing the refresh token just spent always lands, and the spent token joins the dead set', async () => {
    const store = open();
    const old = login('old', 8 * HOUR);
    await write(store, old);
    const rotated = { ...login('rotated'), expiresAt: old.expiresAt }; // same expiry: only replacesSpent lets it in
    await write(store, rotated, old.refreshToken);
    expect(await store.readCredential(PROFILE)).toEqual(rotated);
    await expect(store.beforeSpend?.(PROFILE, old.refreshToken)).rejects.toMatchObject({
      kind: 'permanent',
      oauthError: 'invalid_grant',
    });
  });

  it('a token refused with invalid_grant is never sent again by any host', async () => {
    const [a, b] = [open(), open()];
    const held = login('held');
    await write(a, held);
    await expect(
      a.updateCredential(PROFILE, async (current) => {
        await a.beforeSpend?.(PROFILE, current?.refreshToken ?? '');
        await a.spendRefused?.(PROFILE, current?.refreshToken ?? ''); // the endpoint said invalid_grant
        throw new RefreshError('permanent', 'invalid_grant', { oauthError: 'invalid_grant' });
      }),
    ).rejects.toBeInstanceOf(RefreshError);
    await expect(b.beforeSpend?.(PROFILE, held.refreshToken)).rejects.toBeInstanceOf(RefreshError);
    expect((await b.fleetStatus(PROFILE)).deadTokens).toBe(1);
  });

  it('a spend interrupted by a crash may be retried once by another host, not twice', async () => {
    const [crashed, second, third] = [open(), open(), open()];
    const held = login('held');
    await write(crashed, held);
    await crashed.beforeSpend?.(PROFILE, held.refreshToken); // then the host dies
    expect((await second.fleetStatus(PROFILE)).spendInFlight?.holder).toBe(crashed.holderId);
    await second.beforeSpend?.(PROFILE, held.refreshToken); // the one retry
    await expect(third.beforeSpend?.(PROFILE, held.refreshToken)).rejects.toThrow(/already retried once/);
  });

  it('heals a store that lost a commit (failover) from the local mirror, monotonically', async () => {
    const [writer, reader] = [open(), open({ mirrorPath: false })];
    const committed = login('committed');
    await write(writer, committed);
    server.cli('FLUSHALL'); // a promoted replica that never saw the commit
    expect(await reader.readCredential(PROFILE)).toBeNull();
    await writer.updateCredential(PROFILE, () => ({ write: null, result: null }));
    expect(await reader.readCredential(PROFILE)).toEqual(committed);
    // A fresher pair in the store is never overwritten by the mirror.
    const newer = login('newer', 9 * HOUR);
    await write(reader, newer);
    await writer.updateCredential(PROFILE, () => ({ write: null, result: null }));
    expect(await reader.readCredential(PROFILE)).toEqual(newer);
  });

  it('watch reports a commit by another host (published version), and nothing else', async () => {
    const [a, b] = [open({ pollIntervalMs: 60_000 }), open()];
    await write(a, login('first'));
    await a.readCredential(PROFILE);
    let calls = 0;
    const changed = new Promise<void>((resolve) => {
      const stop = a.watch(() => {
        calls += 1;
        stop();
        resolve();
      });
    });
    // Wait until the subscription is live: the first poll has seen version 1.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await write(b, login('second', 9 * HOUR));
    await changed;
    expect(calls).toBe(1);
    const published = server.cli('PUBSUB', 'NUMPAT').trim();
    expect(Number(published)).toBeGreaterThanOrEqual(0);
  });

  it('names a missing or malformed encryption key, and a wrong key, without a token', async () => {
    expect(() => createRedisProfileStore({ url: server.url, env: {} })).toThrow(RedisStoreError);
    expect(() => createRedisProfileStore({ url: server.url, encryptionKey: 'short' })).toThrow(/32 bytes/);
    expect(() => createRedisProfileStore({ url: 'http://x', encryptionKey: KEY })).toThrow(/redis:\/\//);
    const credential = login('secret');
    await write(open(), credential);
    const wrong = open({ encryptionKey: randomBytes(32).toString('base64'), mirrorPath: false });
    const error = await wrong.readCredential(PROFILE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedisStoreError);
    expect(String((error as Error).message)).not.toContain(credential.accessToken);
  });

  it('a busy lease ends in LockTimeoutError; an unreachable server in RedisStoreError', async () => {
    const store = open({ lease: { ttlMs: 10_000, waitMs: 200 } });
    server.cli('SET', `oauthrec:{${PROFILE}}:lease`, 'other/1', 'PX', '10000');
    await expect(store.recordUsage(PROFILE, { lastUsed: 1 })).rejects.toBeInstanceOf(LockTimeoutError);
    const nowhere = createRedisProfileStore({
      url: 'redis://127.0.0.1:1',
      encryptionKey: KEY,
      mirrorPath: false,
      operationTimeoutMs: 300,
    });
    stores.push(nowhere);
    await expect(nowhere.readCredential(PROFILE)).rejects.toBeInstanceOf(RedisStoreError);
  });
});
