/** `oauth-recovery status`: derived from the files without starting a machine; fingerprints, never tokens. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintToken } from '../../src/credentials/fingerprint.js';
import {
  type CliFixture,
  createCliFixture,
  expectNoSecrets,
  expectOneLineError,
  expiresIn,
  PROFILE_ID,
} from './cli-harness.js';
import { ErrorJsonSchema, StatusJsonSchema } from './schemas.js';

let fx: CliFixture;
beforeEach(async () => {
  fx = await createCliFixture();
});
afterEach(async () => {
  await fx.cleanup();
});

async function statusJson(extra: string[] = []) {
  const run = await fx.run(['status', '--json', ...fx.flags(), ...extra]);
  expectNoSecrets(run, fx.secrets);
  return { run, report: StatusJsonSchema.parse(JSON.parse(run.stdout)) };
}

describe('status', () => {
  it('reports a valid shared login as one JSON object (exit 0)', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    await fx.writeCli(login);
    const { run, report } = await statusJson();
    expect(run.code).toBe(0);
    expect(report).toMatchObject({
      profileId: PROFILE_ID,
      state: 'valid',
      expiresAt: login.expiresAt,
      source: 'store',
      fingerprint: fingerprintToken(login.accessToken),
      cooldownUntil: null,
      errorCount: 0,
      cli: { path: fx.cliPath, present: true, blank: false, fresher: false, sameAsStore: true },
      store: { path: fx.storePath, origin: 'flag', exists: true },
    });
    expect(report.expiresInMs).toBeGreaterThan(7 * 3_600_000);
    expect(run.stderr).toBe('');
  });

  it('prints readable text without --json', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    await fx.writeCli(login);
    const run = await fx.run(['status', ...fx.flags()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^profile\s+anthropic:claude-cli$/m);
    expect(run.stdout).toMatch(/^state\s+valid: expires in \d+h \d+m/m);
    expect(run.stdout).toContain(fingerprintToken(login.accessToken));
    expect(run.stdout).toContain('same login as the store');
    expectNoSecrets(run, fx.secrets);
  });

  it('says when the CLI holds fresher credentials, and when it is logged out', async () => {
    const old = fx.login({ expiresAt: expiresIn.minutes(3) });
    await fx.writeStore(old);
    await fx.writeCli(fx.login());
    const fresher = await statusJson();
    expect(fresher.report.state).toBe('expiring');
    expect(fresher.report.cli).toMatchObject({ fresher: true, sameAsStore: false });

    await fx.writeCli('blank');
    const blank = await statusJson();
    expect(blank.report.cli).toMatchObject({ present: true, blank: true, fresher: false, expiresAt: null });
  });

  it('reports an expired token as expired (exit 0: a refresh fixes it)', async () => {
    await fx.writeStore(fx.login({ expiresAt: Date.now() - 60_000 }));
    const { run, report } = await statusJson();
    expect(run.code).toBe(0);
    expect(report.state).toBe('expired');
    expect(report.expiresInMs).toBeLessThan(0);
  });

  it('exits 4 during a persisted cooldown when the token does not work', async () => {
    const until = expiresIn.minutes(10);
    await fx.writeStore(fx.login({ expiresAt: Date.now() - 60_000 }), {
      usageStats: { [PROFILE_ID]: { cooldownUntil: until, errorCount: 2 } },
    });
    const { run, report } = await statusJson();
    expect(run.code).toBe(4);
    expect(report).toMatchObject({ state: 'cooldown', cooldownUntil: until, errorCount: 2 });
  });

  // Issue 9 input 5: a gateway's rate-limit ladder wrote now + 6 h. Before: exit 4 "cooldown" for
  // six hours with a working 8 h token. Now: the runtime serves the token, and status agrees.
  it('a token that works is valid under a persisted cooldown, shown clamped to cooldownMaxMs', async () => {
    const before = Date.now();
    const usageStats = { [PROFILE_ID]: { cooldownUntil: expiresIn.minutes(360), errorCount: 7 } };
    await fx.writeStore(fx.login(), { usageStats });
    const { run, report } = await statusJson();
    expect(run.code).toBe(0);
    expect(report).toMatchObject({ state: 'valid', errorCount: 7 });
    expect(report.cooldownUntil).toBeGreaterThanOrEqual(before + 15 * 60_000);
    expect(report.cooldownUntil).toBeLessThanOrEqual(Date.now() + 15 * 60_000);

    await fx.writeStore(fx.login({ expiresAt: Date.now() - 60_000 }), { usageStats });
    const expired = await statusJson();
    expect(expired.run.code).toBe(4);
    expect(expired.report.state).toBe('cooldown');
    expect(expired.report.cooldownUntil).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
  });

  it('ignores a cooldown that has already ended', async () => {
    await fx.writeStore(fx.login(), {
      usageStats: { [PROFILE_ID]: { cooldownUntil: Date.now() - 1000, errorCount: 1 } },
    });
    const { run, report } = await statusJson();
    expect(run.code).toBe(0);
    expect(report).toMatchObject({ state: 'valid', cooldownUntil: null });
  });

  it('exits 3 when there is no store, no profile or a blank profile', async () => {
    const none = await statusJson();
    expect(none.run.code).toBe(3);
    expect(none.report).toMatchObject({
      state: 'missing',
      store: { exists: false },
      cli: { present: false },
    });

    await fx.writeStore(null);
    const noProfile = await statusJson();
    expect(noProfile.run.code).toBe(3);
    expect(noProfile.report.state).toBe('missing');

    await fx.writeStore({ accessToken: '', refreshToken: '', expiresAt: 0 });
    const blank = await statusJson();
    expect(blank.run.code).toBe(3);
  });

  it('fails with one line and the fix for a malformed store (exit 1)', async () => {
    await mkdir(path.dirname(fx.storePath), { recursive: true });
    await writeFile(fx.storePath, '{"version":1,"profiles":{"anthropic:claude-cli":{"type":"oauth","acc');
    const run = await fx.run(['status', ...fx.flags()]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expectOneLineError(run.stderr, /auth-profiles\.json: is not valid JSON/);
  });

  it('fails with one line for a store that matches no schema, and as JSON with --json', async () => {
    await mkdir(path.dirname(fx.storePath), { recursive: true });
    await writeFile(
      fx.storePath,
      JSON.stringify({
        version: 1,
        profiles: {
          [PROFILE_ID]: { type: 'oauth', provider: 'anthropic', access: 'x', refresh: 'y', expires: 'soon' },
        },
      }),
    );
    const run = await fx.run(['status', '--json', ...fx.flags()]);
    expect(run.code).toBe(1);
    expectOneLineError(run.stderr, /expires/);
    const error = ErrorJsonSchema.parse(JSON.parse(run.stdout));
    expect(error.error.code).toBe('CREDENTIAL_PARSE');
  });

  it('fails for a store path that is a directory (unreadable file)', async () => {
    await mkdir(fx.storePath, { recursive: true });
    const run = await fx.run(['status', ...fx.flags()]);
    expect(run.code).toBe(1);
    expectOneLineError(run.stderr, /is a directory/);
  });

  it('still reports the store when the CLI file is unreadable', async () => {
    await fx.writeStore(fx.login());
    await writeFile(fx.cliPath, '{"claudeAiOauth": [');
    const { run, report } = await statusJson();
    expect(run.code).toBe(0);
    expect(report.state).toBe('valid');
    expect(report.cli.error?.code).toBe('CREDENTIAL_PARSE');
  });

  it('reads the store and CLI dir from OAUTH_RECOVERY_STORE and CLAUDE_CONFIG_DIR', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    await fx.writeCli(login);
    const run = await fx.run(['status', '--json'], {
      env: fx.env({ OAUTH_RECOVERY_STORE: fx.storePath, CLAUDE_CONFIG_DIR: fx.claudeDir }),
    });
    const report = StatusJsonSchema.parse(JSON.parse(run.stdout));
    expect(report.store).toMatchObject({ path: fx.storePath, origin: 'env' });
    expect(report.cli.sameAsStore).toBe(true);
  });

  it('uses --profile', async () => {
    await fx.writeStore(fx.login());
    const { run, report } = await statusJson(['--profile', 'openai:default']);
    expect(run.code).toBe(3);
    expect(report).toMatchObject({ profileId: 'openai:default', state: 'missing' });
  });
});
