/**
 * The Redis store does what the file store does for the runtime's bookkeeping, on a real
 * redis-server: `checkWritable` (made before a refresh token is spent) refuses when the server
 * would refuse the commit — a read-only replica, memory full under noeviction, too few replicas
 * for min-replicas-to-write, an ACL user without write rights — naming the refusal; and the
 * runtime's `lastFailure` / `refreshTokenDead` persist in the usage hash, so `status --store
 * redis://` in another process shows them and exits 3, `doctor` reports them (and whether the
 * server takes writes), and a restarted runtime resumes them.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisStoreError } from '../../../src/errors.js';
import { createSilentLogger } from '../../../src/logging/logger.js';
import { createAuthRecovery } from '../../../src/runtime/index.js';
import {
  createRedisProfileStore,
  type RedisProfileStore,
  type RedisProfileStoreOptions,
} from '../../../src/store/redis/index.js';
import { type CliFixture, createCliFixture, expectNoSecrets } from '../../cli/cli-harness.js';
import { DoctorJsonSchema, StatusJsonSchema } from '../../cli/schemas.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';

const PROFILE = 'anthropic:claude-cli';
const KEY = randomBytes(32).toString('hex');
let server: RedisServer;
let fx: CliFixture;
const stores: RedisProfileStore[] = [];

beforeAll(async () => {
  [server, fx] = await Promise.all([startRedisServer({ appendonly: false }), createCliFixture()]);
});
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await fx?.cleanup();
  await server?.stop();
});
beforeEach(() => {
  server.cli('FLUSHALL');
  fx.fake.resetCounters();
});

let mirrors = 0;
function open(options: Partial<RedisProfileStoreOptions> = {}): RedisProfileStore {
  mirrors += 1;
  const store = createRedisProfileStore({
    url: server.url,
    encryptionKey: KEY,
    mirrorPath: path.join(fx.dir, `mirror-${mirrors}.json`),
    ...options,
  });
  stores.push(store);
  return store;
}

async function seed(store: RedisProfileStore) {
  const login = fx.login();
  await store.updateCredential(PROFILE, () => ({ write: login, result: null }));
  return login;
}

/** The refusal `checkWritable` reports while `setUp` is in force on the server. */
async function refusal(store: RedisProfileStore, setUp: string[], tearDown: string[]) {
  server.cli(...setUp);
  try {
    const error = await store.checkWritable?.().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RedisStoreError);
    return error as RedisStoreError;
  } finally {
    server.cli(...tearDown);
  }
}

describe('Redis store: checkWritable', () => {
  it('passes on a writable primary and leaves only a short-lived probe key', async () => {
    const store = open();
    await seed(store);
    await expect(store.checkWritable?.()).resolves.toBeUndefined();
    const ttl = Number(server.cli('PTTL', `oauthrec:{${PROFILE}}:probe`));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });

  it('names memory full under noeviction (OOM), too few replicas (NOREPLICAS)', async () => {
    const store = open();
    await seed(store);
    const oom = await refusal(
      store,
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
    );
    expect(oom.causeCode).toBe('OOM');
    expect(oom.message).toMatch(/out of memory/);
    const replicas = await refusal(
      store,
      ['CONFIG', 'SET', 'min-replicas-to-write', '1'],
      ['CONFIG', 'SET', 'min-replicas-to-write', '0'],
    );
    expect(replicas.causeCode).toBe('NOREPLICAS');
    await expect(store.checkWritable?.()).resolves.toBeUndefined();
  });

  it('names an ACL user without write rights (NOPERM)', async () => {
    server.cli('ACL', 'SETUSER', 'reader', 'on', '>reader-pw', '~*', '&*', '+@read', '+@connection');
    const reader = open({ url: `redis://reader:reader-pw@127.0.0.1:${server.port}` });
    const error = await reader.checkWritable?.().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RedisStoreError);
    expect((error as RedisStoreError).causeCode).toBe('NOPERM');
    expect((error as RedisStoreError).message).not.toContain('reader-pw');
  });

  it('names a read-only replica (READONLY)', async () => {
    const replica = await startRedisServer({ appendonly: false, replicaOf: `127.0.0.1:${server.port}` });
    try {
      const store = open({ url: replica.url });
      const error = await store.checkWritable?.().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect((error as RedisStoreError).causeCode).toBe('READONLY');
      expect((error as RedisStoreError).hint).toMatch(/primary/);
    } finally {
      await replica.stop();
    }
  });

  it('keeps the runtime from spending a refresh token the store could not take', async () => {
    const store = open();
    await seed(store);
    const auth = createAuthRecovery({
      store,
      claudeConfigDir: fx.claudeDir,
      tokenUrl: fx.fake.tokenUrl,
      logger: createSilentLogger(),
      // The refused attempt counts for the refresh throttle: keep its wait out of the test.
      policy: { minRefreshIntervalMs: 1 },
    });
    await auth.start();
    try {
      server.cli('CONFIG', 'SET', 'min-replicas-to-write', '1');
      await expect(auth.refresh()).rejects.toThrow();
      expect(fx.fake.tokenRequests).toBe(0);
      expect(auth.getSnapshot().lastFailure).toMatchObject({ kind: 'store', causeCode: 'NOREPLICAS' });
      server.cli('CONFIG', 'SET', 'min-replicas-to-write', '0');
      await auth.refresh();
      expect(fx.fake.tokenRequests).toBe(1);
    } finally {
      server.cli('CONFIG', 'SET', 'min-replicas-to-write', '0');
      await auth.stop();
    }
  });
});

describe('Redis store: the last failure and a dead refresh token persist', () => {
  it('reads a malformed stored failure as absent, never as an error', async () => {
    const store = open();
    await seed(store);
    const usage = `oauthrec:{${PROFILE}}:usage`;
    server.cli('HSET', usage, 'lastFailure', '{"at":', 'refreshTokenDead', 'yes', 'errorCount', '2');
    expect(await store.readUsage(PROFILE)).toEqual({ errorCount: 2 });
    server.cli('HSET', usage, 'lastFailure', JSON.stringify({ kind: 'permanent', message: 'no at' }));
    expect((await store.readUsage(PROFILE)).lastFailure).toBeUndefined();
  });

  it('status and doctor --store redis:// show them (exit 3), a restart resumes them, a success clears them', async () => {
    const store = open();
    const login = await seed(store);
    await fx.writeCli('blank');
    fx.fake.rotate(login.refreshToken); // someone else spent it: the next refresh gets invalid_grant
    const options = {
      store,
      claudeConfigDir: fx.claudeDir,
      tokenUrl: fx.fake.tokenUrl,
      logger: createSilentLogger(),
    };
    const first = createAuthRecovery(options);
    await first.start();
    await expect(first.refresh()).rejects.toThrow();
    await first.stop(); // waits for the failure record's write

    const usage = await store.readUsage(PROFILE);
    expect(usage.lastFailure).toMatchObject({ kind: 'permanent', oauthError: 'invalid_grant' });
    expect(usage.refreshTokenDead).toBe(true);

    const env = fx.env({ OAUTH_RECOVERY_REDIS_KEY: KEY });
    const flags = [
      '--store',
      server.url,
      '--claude-config-dir',
      fx.claudeDir,
      '--token-url',
      fx.fake.tokenUrl,
    ];
    const status = await fx.run(['status', '--json', ...flags], { env });
    expectNoSecrets(status, fx.secrets);
    expect(status.code, status.stderr).toBe(3);
    const report = StatusJsonSchema.parse(JSON.parse(status.stdout));
    expect(report).toMatchObject({
      refreshTokenDead: true,
      lastFailure: { kind: 'permanent', oauthError: 'invalid_grant' },
    });

    // doctor on any host: the dead grant is an error finding; the server takes writes.
    const doctor = await fx.run(['doctor', '--json', ...flags], { env });
    expectNoSecrets(doctor, fx.secrets);
    const findings = DoctorJsonSchema.parse(JSON.parse(doctor.stdout)).findings;
    expect(findings.find((item) => item.check === 'lastFailure')).toMatchObject({ level: 'error' });
    expect(findings.find((item) => item.check === 'store.writable')).toMatchObject({ level: 'ok' });
    server.cli('CONFIG', 'SET', 'min-replicas-to-write', '1');
    try {
      const refused = await fx.run(['doctor', '--json', ...flags], { env });
      const finding = DoctorJsonSchema.parse(JSON.parse(refused.stdout)).findings.find(
        (item) => item.check === 'store.writable',
      );
      expect(finding).toMatchObject({ level: 'error', fix: expect.stringMatching(/min-replicas-to-write/) });
      expect(finding?.message).toMatch(/NOREPLICAS/);
    } finally {
      server.cli('CONFIG', 'SET', 'min-replicas-to-write', '0');
    }

    const restarted = createAuthRecovery(options);
    await restarted.start();
    expect(restarted.getSnapshot()).toMatchObject({
      refreshTokenDead: true,
      lastFailure: { kind: 'permanent', oauthError: 'invalid_grant' },
    });
    // A new login through the CLI ends it: the sync adopts it and clears both.
    await fx.writeCli(fx.login());
    await restarted.sync();
    await restarted.stop();
    const cleared = await store.readUsage(PROFILE);
    expect(cleared.lastFailure).toBeUndefined();
    expect(cleared.refreshTokenDead).toBeUndefined();
  });
});
