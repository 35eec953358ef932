/**
 * A store directory this user cannot write (mode 0500, as for `nobody` on a directory it owns
 * but may not write, or a read-only bind mount): `refresh`, `sync` and `doctor` name the
 * directory and the errno, with a permissions fix, and nothing is spent. Before: `refresh`
 * blamed the token endpoint ("kept failing (STORE_WRITE) after 0 requests"), `doctor` said ok.
 */
import { chmod, chown, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createCliFixture, expectNoSecrets, expectOneLineError } from './cli-harness.js';

const HOUR = 3_600_000;
const NOBODY = 65_534;
const isRoot = process.getuid?.() === 0;

const fx = fixturePerTest(createCliFixture);

/** Makes the store's directory mode 0500 for the user the CLI runs as; returns that user. */
async function lockStoreDirectory(): Promise<{ uid?: number; gid?: number }> {
  const storeDir = path.dirname(fx.storePath);
  if (isRoot) {
    // Root ignores file modes: the CLI runs as `nobody`, who owns everything it reads.
    await chmod(fx.dir, 0o755);
    for (const owned of [fx.home, storeDir, fx.storePath, fx.claudeDir, fx.cliPath])
      await chown(owned, NOBODY, NOBODY);
  }
  await chmod(storeDir, 0o500);
  return isRoot ? { uid: NOBODY, gid: NOBODY } : {};
}

describe('a store directory this user cannot write', () => {
  it('refresh: a store error naming the directory and EACCES, exit 1, no token request', async () => {
    const login = fx.login({ expiresAt: Date.now() - HOUR });
    await fx.writeStore(login);
    await fx.writeCli(login);
    const as = await lockStoreDirectory();
    try {
      const run = await fx.run(['refresh', '--log-level', 'silent', ...fx.flags()], as);
      expect(run.code).toBe(1);
      expectOneLineError(run.stderr, /could not write the store \(EACCES: permission denied\)/);
      expect(run.stderr).toContain(path.dirname(fx.storePath));
      expect(run.stderr).not.toMatch(/token endpoint/);
      expect(run.stderr).toMatch(/fix: Make .* writable by the user running oauth-recovery/);
      expect(run.stderr).not.toMatch(/kept in memory/);
      expect(fx.fake.tokenRequests).toBe(0);
      expect(fx.fake.tokenState(login.refreshToken)).toBe('valid');
      expectNoSecrets(run, fx.secrets);

      const json = await fx.run(['refresh', '--json', '--log-level', 'silent', ...fx.flags()], as);
      expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'STORE_WRITE' });
    } finally {
      await chmod(path.dirname(fx.storePath), 0o700);
    }
  });

  it('doctor: an error that this user cannot write the store directory, exit 1', async () => {
    const login = fx.login({ expiresAt: Date.now() + HOUR });
    await fx.writeStore(login);
    await fx.writeCli(login);
    const as = await lockStoreDirectory();
    try {
      const run = await fx.run(['doctor', ...fx.flags()], as);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^error {2}store is not writable by this user .*EACCES/m);
      expect(run.stdout).toMatch(/fix: Make .* writable by the user running oauth-recovery/);
    } finally {
      await chmod(path.dirname(fx.storePath), 0o700);
    }
  });

  it('sync: the fix says to sync again, not that a login is kept in memory', async () => {
    const old = fx.login({ expiresAt: Date.now() - HOUR });
    const fresh = fx.login({ expiresAt: Date.now() + 8 * HOUR });
    await fx.writeStore(old);
    await fx.writeCli(fresh);
    const as = await lockStoreDirectory();
    const before = await readFile(fx.storePath, 'utf8');
    try {
      const run = await fx.run(['sync', '--log-level', 'silent', ...fx.flags()], as);
      expect(run.code).toBe(1);
      expectOneLineError(run.stderr, /EACCES/);
      expect(run.stderr).toMatch(/run `oauth-recovery sync` again/);
      expect(run.stderr).not.toMatch(/kept in memory/);
      expect(await readFile(fx.storePath, 'utf8')).toBe(before);
      expectNoSecrets(run, fx.secrets);
    } finally {
      await chmod(path.dirname(fx.storePath), 0o700);
    }
  });
});
