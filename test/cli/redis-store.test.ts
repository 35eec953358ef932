/**
 * The built CLI with `--store redis://…` against a real redis-server: `sync` seeds the fleet,
 * `status` / `status --json` / `doctor` show the fleet fields, `refresh` spends the token once
 * and commits a new version; a missing key is a typed one-line error. Tokens never printed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintToken } from '../../src/credentials/fingerprint.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { type CliFixture, createCliFixture, expectNoSecrets, expectOneLineError } from './cli-harness.js';
import { DoctorJsonSchema, ErrorJsonSchema, RefreshJsonSchema, StatusJsonSchema } from './schemas.js';

const KEY = randomBytes(32).toString('hex');
let server: RedisServer;
let fx: CliFixture;

beforeAll(async () => {
  server = await startRedisServer({ appendonly: false });
  fx = await createCliFixture();
});
afterAll(async () => {
  await fx?.cleanup();
  await server?.stop();
});

function flags(): string[] {
  return ['--store', server.url, '--claude-config-dir', fx.claudeDir, '--token-url', fx.fake.tokenUrl];
}
const env = () => fx.env({ OAUTH_RECOVERY_REDIS_KEY: KEY });

async function status() {
  const run = await fx.run(['status', '--json', ...flags()], { env: env() });
  expectNoSecrets(run, fx.secrets);
  return { run, report: StatusJsonSchema.parse(JSON.parse(run.stdout)) };
}

describe('--store redis://', () => {
  it('sync seeds the fleet, status and doctor show it, refresh commits version 2 with one token request', async () => {
    const login = fx.login();
    await fx.writeCli(login);
    const sync = await fx.run(['sync', ...flags()], { env: env() });
    expect(sync.code, sync.stderr).toBe(0);

    const first = await status();
    expect(first.run.code).toBe(0);
    expect(first.report).toMatchObject({
      state: 'valid',
      fingerprint: fingerprintToken(login.accessToken),
      store: { path: server.url, origin: 'flag', exists: true },
      fleet: { version: 1, leaseHolder: null, spendInFlight: null, deadTokens: 0 },
    });
    expect(first.report.fleet?.committedBy).toMatch(/:\d+:/);
    expect(first.report.fleet?.replication).toEqual({ role: 'master', connectedReplicas: 0, maxLagBytes: 0 });
    // The server holds no token in the clear (encrypted with OAUTH_RECOVERY_REDIS_KEY).
    const keys = server.cli('KEYS', '*').split('\n').filter(Boolean);
    expect(keys.length).toBeGreaterThan(0);
    const dump = keys.map((key) => server.cli('--raw', 'DUMP', key)).join('\n');
    expect(dump).not.toContain(login.refreshToken);
    expect(dump).not.toContain(login.accessToken);

    const refresh = await fx.run(['refresh', '--json', ...flags()], { env: env() });
    expect(refresh.code, refresh.stderr).toBe(0);
    expectNoSecrets(refresh, fx.secrets);
    expect(RefreshJsonSchema.parse(JSON.parse(refresh.stdout))).toMatchObject({
      how: 'refresh',
      tokenRequests: 1,
    });
    expect(fx.fake.tokenRequests).toBe(1);
    // The local mirror sits next to our own store file ($XDG_CONFIG_HOME/oauth-recovery/).
    expect(existsSync(path.join(fx.home, '.config', 'oauth-recovery', 'redis-mirror.json'))).toBe(true);

    const second = await status();
    expect(second.report.fleet).toMatchObject({ version: 2, leaseHolder: null, spendInFlight: null });
    expect(second.report.fingerprint).not.toBe(first.report.fingerprint);

    const text = await fx.run(['status', ...flags()], { env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^fleet\s+version 2, committed by \S+ at \d{4}-/m);
    expect(text.stdout).toMatch(/^fleet\s+lease free$/m);
    expect(text.stdout).toMatch(/^fleet\s+server role master, 0 replica\(s\), max replica lag 0 bytes$/m);
    expect(text.stdout).toContain(`store        ${server.url} (flag)`);

    const doctor = await fx.run(['doctor', '--json', ...flags()], { env: env() });
    expectNoSecrets(doctor, fx.secrets);
    const findings = DoctorJsonSchema.parse(JSON.parse(doctor.stdout)).findings;
    const byCheck = (check: string) => findings.find((item) => item.check === check);
    expect(byCheck('store.redis')).toMatchObject({ level: 'ok' });
    expect(byCheck('fleet.version')?.message).toMatch(/^version 2, committed by /);
    expect(byCheck('fleet.lease')).toMatchObject({ level: 'ok', message: 'lease free' });
    expect(byCheck('profile')).toMatchObject({ level: 'ok' });
    expect(byCheck('store.file')).toBeUndefined();
  });

  it('takes the URL from OAUTH_RECOVERY_STORE too', async () => {
    const run = await fx.run(['status', '--json', '--claude-config-dir', fx.claudeDir], {
      env: fx.env({ OAUTH_RECOVERY_REDIS_KEY: KEY, OAUTH_RECOVERY_STORE: server.url }),
    });
    const report = StatusJsonSchema.parse(JSON.parse(run.stdout));
    expect(report.store).toMatchObject({ path: server.url, origin: 'env' });
    expect(report.fleet?.version).toBeGreaterThanOrEqual(1);
  });

  it('without OAUTH_RECOVERY_REDIS_KEY: a one-line RedisStoreError naming the variable, nothing requested', async () => {
    const before = fx.fake.tokenRequests;
    const run = await fx.run(['status', ...flags()]);
    expect(run.code).not.toBe(0);
    expectOneLineError(run.stderr, /OAUTH_RECOVERY_REDIS_KEY/);
    const json = await fx.run(['status', '--json', ...flags()]);
    expect(ErrorJsonSchema.parse(JSON.parse(json.stdout)).error.name).toBe('RedisStoreError');
    expect(fx.fake.tokenRequests).toBe(before);
  });

  it('nothing listening at the URL: the reason names ECONNREFUSED and host:port, the fix the server', async () => {
    const nowhere = ['--store', 'redis://127.0.0.1:1', '--claude-config-dir', fx.claudeDir];
    const status = await fx.run(['status', ...nowhere], { env: env() });
    expect(status.code).toBe(1);
    expectOneLineError(
      status.stderr,
      /read: cannot reach the server at 127\.0\.0\.1:1 \(connect ECONNREFUSED 127\.0\.0\.1:1\)/,
    );
    expect(status.stderr).toMatch(/fix: Is redis-server running and listening at 127\.0\.0\.1:1/);
    const doctor = await fx.run(['doctor', ...nowhere], { env: env() });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/cannot reach the server at 127\.0\.0\.1:1 \(connect ECONNREFUSED/);
    expect(doctor.stdout).not.toMatch(/Run `oauth-recovery doctor/);
  });
});
