/** `oauth-recovery refresh`: through the runtime, the lock and the fake token endpoint. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fingerprintToken } from '../../src/credentials/fingerprint.js';
import { fixturePerTest } from '../support/fixture-per-test.js';
import {
  createCliFixture,
  expectNoSecrets,
  expectOneLineError,
  expiresIn,
  PROFILE_ID,
} from './cli-harness.js';
import { ErrorJsonSchema, RefreshJsonSchema } from './schemas.js';

const fx = fixturePerTest(createCliFixture);

describe('refresh', () => {
  it('spends the refresh token once, saves the rotated pair and writes it back to the CLI (exit 0)', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    await fx.writeCli(login);
    const run = await fx.run(['refresh', '--json', ...fx.flags()]);
    expect(run.code).toBe(0);
    expectNoSecrets(run, fx.secrets);
    const result = RefreshJsonSchema.parse(JSON.parse(run.stdout));
    expect(result).toMatchObject({
      how: 'refresh',
      previousFingerprint: fingerprintToken(login.accessToken),
      tokenRequests: 1,
    });
    expect(fx.fake.tokenRequests).toBe(1);
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    expect(fingerprintToken(stored.access)).toBe(result.fingerprint);
    expect(stored.expires).toBe(result.expiresAt);
    expect((await fx.readCli()).claudeAiOauth.accessToken).toBe(stored.access);
    expect((await fx.readCli()).mcpOAuth).toEqual({ keep: 'me' });
    expect(existsSync(`${fx.storePath}.lock`)).toBe(false);
    expectNoSecrets(run, [...fx.secrets, stored.access, stored.refresh]);
  });

  it('prints the new fingerprint and expiry as text', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    const run = await fx.run(['refresh', '--log-level', 'silent', ...fx.flags()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^refreshed: anthropic:claude-cli$/m);
    expect(run.stdout).toMatch(/^fingerprint\s+[0-9a-f]{12} \(was [0-9a-f]{12}\)$/m);
    expect(run.stdout).toMatch(/^expires\s+\d{4}-\d\d-\d\dT/m);
    expect(run.stderr).toBe('');
  });

  it('logs NDJSON to stderr when it is not a terminal', async () => {
    await fx.writeStore(fx.login());
    const run = await fx.run(['refresh', ...fx.flags()]);
    expect(run.code).toBe(0);
    const events = run.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).event);
    expect(events).toEqual(expect.arrayContaining(['started', 'refreshed', 'recovered', 'stopped']));
    expectNoSecrets(run, fx.secrets);
  });

  it('recovers a dead refresh token from fresher CLI credentials (exit 0)', async () => {
    const first = fx.login();
    await fx.writeStore(first);
    const second = fx.fake.rotate(first.refreshToken);
    fx.secrets.push(second.accessToken, second.refreshToken);
    await fx.writeCli({ ...second, expiresAt: second.expiresAt + 60_000 });
    const run = await fx.run(['refresh', '--json', ...fx.flags()]);
    expect(run.code).toBe(0);
    const result = RefreshJsonSchema.parse(JSON.parse(run.stdout));
    expect(result).toMatchObject({ how: 'cli', fingerprint: fingerprintToken(second.accessToken) });
    expectNoSecrets(run, fx.secrets);
  });

  it('exits 3 when the refresh token is dead and the CLI has nothing fresher', async () => {
    const login = fx.login();
    fx.fake.revoke(login.refreshToken);
    await fx.writeStore(login);
    await fx.writeCli('blank');
    const run = await fx.run(['refresh', '--log-level', 'silent', ...fx.flags()]);
    expect(run.code).toBe(3);
    expectOneLineError(
      run.stderr,
      /refresh token was rejected \(HTTP 400 invalid_grant\) and the Claude CLI has nothing fresher/,
    );
    expect(fx.fake.tokenRequests).toBe(1);
    expectNoSecrets(run, fx.secrets);
  });

  it('exits 4 without a token request or a write while a persisted cooldown lasts', async () => {
    await fx.writeStore(fx.login(), {
      usageStats: { [PROFILE_ID]: { cooldownUntil: expiresIn.minutes(10), errorCount: 1 } },
    });
    const before = await readFile(fx.storePath);
    const run = await fx.run(['refresh', '--json', ...fx.flags()]);
    expect(run.code).toBe(4);
    expect(await readFile(fx.storePath)).toEqual(before);
    expect(ErrorJsonSchema.parse(JSON.parse(run.stdout)).error.code).toBe('COOLDOWN');
    expectOneLineError(run.stderr, /is in cooldown until/);
    expect(fx.fake.tokenRequests).toBe(0);
  });

  it('exits 1 when the endpoint keeps failing, after its retries', async () => {
    await fx.writeStore(fx.login());
    fx.fake.failNext(10, { status: 503 });
    const run = await fx.run(['refresh', '--log-level', 'silent', ...fx.flags()]);
    expect(run.code).toBe(1);
    expectOneLineError(run.stderr, /token endpoint kept failing/);
    expect(fx.fake.tokenRequests).toBe(4);
  });

  it('refuses a plain-http token URL off loopback (exit 2) before any request', async () => {
    await fx.writeStore(fx.login());
    const run = await fx.run([
      'refresh',
      '--store',
      fx.storePath,
      '--token-url',
      'http://example.com/v1/oauth/token',
    ]);
    expect(run.code).toBe(2);
    expectOneLineError(run.stderr, /plain http is allowed only to loopback/);
  });
});
