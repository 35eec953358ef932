/** `oauth-recovery sync`: adopt the CLI's credentials when fresher; otherwise exit 3 and write nothing. */
import { existsSync } from 'node:fs';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
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
import { SyncCurrentJsonSchema, SyncJsonSchema } from './schemas.js';

const fx = fixturePerTest(createCliFixture);

async function snapshotStore(): Promise<{ bytes: Buffer; mtimeMs: number }> {
  return { bytes: await readFile(fx.storePath), mtimeMs: (await stat(fx.storePath)).mtimeMs };
}

describe('sync', () => {
  it('adopts fresher CLI credentials, keeps other profiles, ends a cooldown (exit 0)', async () => {
    const old = fx.login({ expiresAt: expiresIn.minutes(20) });
    const fresh = fx.login();
    await fx.writeStore(old, {
      usageStats: { [PROFILE_ID]: { cooldownUntil: expiresIn.minutes(5), errorCount: 3 } },
    });
    await fx.writeCli(fresh);
    const run = await fx.run(['sync', '--json', ...fx.flags()]);
    expect(run.code).toBe(0);
    expectNoSecrets(run, fx.secrets);
    const result = SyncJsonSchema.parse(JSON.parse(run.stdout));
    expect(result).toMatchObject({
      fingerprint: fingerprintToken(fresh.accessToken),
      expiresAt: fresh.expiresAt,
      previous: { fingerprint: fingerprintToken(old.accessToken), expiresAt: old.expiresAt },
    });
    const store = await fx.readStore();
    expect(store.profiles[PROFILE_ID]).toMatchObject({
      access: fresh.accessToken,
      refresh: fresh.refreshToken,
    });
    expect(store.profiles['openai:default']).toEqual({
      type: 'api_key',
      provider: 'openai',
      key: 'not-ours',
    });
    expect(store.usageStats[PROFILE_ID].cooldownUntil).toBeUndefined();
    expect(store.usageStats[PROFILE_ID].errorCount).toBe(0);
    expect((await stat(fx.storePath)).mode & 0o777).toBe(0o600);
    expect(existsSync(`${fx.storePath}.lock`)).toBe(false);
  });

  it('creates the store from the CLI login when there is none yet', async () => {
    const fresh = fx.login();
    await fx.writeCli(fresh);
    const run = await fx.run(['sync', ...fx.flags()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`fingerprint ${fingerprintToken(fresh.accessToken)}`);
    expect(run.stdout).toContain('the profile had no credential before');
    expect((await fx.readStore()).profiles[PROFILE_ID].access).toBe(fresh.accessToken);
    expect((await stat(fx.storePath)).mode & 0o777).toBe(0o600);
    expectNoSecrets(run, fx.secrets);
  });

  it('exits 3 and leaves the store byte-identical when the CLI is not fresher', async () => {
    const current = fx.login();
    await fx.writeStore(current);
    await fx.writeCli(fx.login({ expiresAt: current.expiresAt - 60 * 60_000 }));
    const before = await snapshotStore();
    const run = await fx.run(['sync', ...fx.flags()]);
    expect(run.code).toBe(3);
    expectOneLineError(run.stderr, /nothing fresher/);
    expect(run.stdout).toBe('');
    expect(await snapshotStore()).toEqual(before);
    expect(existsSync(`${fx.storePath}.lock`)).toBe(false);
    expectNoSecrets(run, fx.secrets);
  });

  it('says "already current" (exit 0) and writes nothing when the CLI holds the same working login', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    await fx.writeCli(login);
    const before = await snapshotStore();
    const json = await fx.run(['sync', '--json', ...fx.flags()]);
    expect(json.code).toBe(0);
    expect(SyncCurrentJsonSchema.parse(JSON.parse(json.stdout))).toMatchObject({
      adopted: false,
      alreadyCurrent: true,
      fingerprint: fingerprintToken(login.accessToken),
      expiresAt: login.expiresAt,
    });
    const text = await fx.run(['sync', ...fx.flags()]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^already current: .*nothing was written\n$/);
    expect(text.stderr).toBe('');
    expect(await snapshotStore()).toEqual(before);
    expectNoSecrets(json, fx.secrets);
    expectNoSecrets(text, fx.secrets);
  });

  it('exits 3 and writes nothing when the CLI holds the same login and it has expired', async () => {
    const login = fx.login({ expiresAt: Date.now() - 60_000 });
    await fx.writeStore(login);
    await fx.writeCli(login);
    const before = await snapshotStore();
    const run = await fx.run(['sync', '--json', ...fx.flags()]);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout).error.code).toBe('LOGIN_REQUIRED');
    expect(await snapshotStore()).toEqual(before);
  });

  it("says so when adopting tightens the store's file mode (0644 → 0600)", async () => {
    await fx.writeStore(fx.login({ expiresAt: expiresIn.minutes(20) }));
    await chmod(fx.storePath, 0o644);
    await fx.writeCli(fx.login());
    const run = await fx.run(['sync', ...fx.flags()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`tightened ${fx.storePath} from mode 0644 to 0600`);
    expect((await stat(fx.storePath)).mode & 0o777).toBe(0o600);

    await fx.writeCli(fx.login({ expiresAt: expiresIn.hours(9) }));
    const again = await fx.run(['sync', '--json', ...fx.flags()]);
    expect(SyncJsonSchema.parse(JSON.parse(again.stdout)).store.modeChanged).toBeNull();
  });

  it('exits 3 and writes nothing when the CLI is logged out (blank) or absent', async () => {
    await fx.writeStore(fx.login({ expiresAt: Date.now() - 60_000 }));
    const before = await snapshotStore();
    const missing = await fx.run(['sync', ...fx.flags()]);
    expect(missing.code).toBe(3);
    expectOneLineError(missing.stderr, /not logged in/);
    await fx.writeCli('blank');
    const blank = await fx.run(['sync', ...fx.flags()]);
    expect(blank.code).toBe(3);
    expectOneLineError(blank.stderr, /logged out/);
    expect(await snapshotStore()).toEqual(before);
  });

  it('never adopts an expired CLI credential', async () => {
    await fx.writeStore(null);
    await fx.writeCli(fx.login({ expiresAt: Date.now() - 1000 }));
    const before = await snapshotStore();
    const run = await fx.run(['sync', ...fx.flags()]);
    expect(run.code).toBe(3);
    expect(await snapshotStore()).toEqual(before);
  });

  it('fails (exit 1) with one line when the CLI file is malformed, and writes nothing', async () => {
    await fx.writeStore(fx.login());
    const before = await snapshotStore();
    await writeFile(fx.cliPath, '{"claudeAiOauth":{"accessToken":5}}');
    const run = await fx.run(['sync', ...fx.flags()]);
    expect(run.code).toBe(1);
    expectOneLineError(run.stderr, /\.credentials\.json: field "claudeAiOauth\.accessToken"/);
    expect(await snapshotStore()).toEqual(before);
  });
});
