/**
 * Issue 10's three inputs, through the built `oauth-recovery` binary against the loopback fake:
 *
 * 1. The store's pair was rotated away; the CLI's file holds an expired access token with a
 *    live refresh token. Before: `refresh` exit 3 "log in with claude", `watch` cooling down
 *    again and again. Now: adopted and refreshed by both.
 * 2. The CLI's file has no `expiresAt` (seen in the wild). Before: the shared pair was spent and
 *    the write-back failed with a warning, leaving the CLI with a dead token. Now: the token
 *    fields are written into the document that is there.
 * 3. `~/.claude` cannot be written. Before: the shared pair was spent, exit 0, the CLI left
 *    with a dead token. Now: nothing is spent; status and doctor say why.
 */
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createCliFixture, expectNoSecrets, PROFILE_ID } from './cli-harness.js';

const HOUR = 3_600_000;
const NOBODY = 65_534;
const isRoot = process.getuid?.() === 0;

const fx = fixturePerTest(createCliFixture);

async function writeCliDocument(oauth: Record<string, unknown>): Promise<void> {
  await writeFile(fx.cliPath, JSON.stringify({ claudeAiOauth: oauth, mcpOAuth: { keep: 'me' } }), {
    mode: 0o600,
  });
}

/** Our store's pair was spent by someone else; the CLI's file holds the live pair, expired an hour ago. */
async function rotatedAwayWithLiveCliLogin(): Promise<void> {
  const ours = fx.login({ expiresAt: Date.now() - HOUR });
  await fx.writeStore(ours);
  const cliLogin = fx.fake.rotate(ours.refreshToken); // someone else spent ours
  fx.secrets.push(cliLogin.accessToken, cliLogin.refreshToken);
  await writeCliDocument({
    accessToken: cliLogin.accessToken,
    refreshToken: cliLogin.refreshToken,
    expiresAt: Date.now() - HOUR,
    scopes: ['user:inference'],
  });
}

describe('a CLI login whose access token expired but whose refresh token is live', () => {
  it('is adopted and refreshed when our pair was rotated away (before: exit 3, log in)', async () => {
    await rotatedAwayWithLiveCliLogin();

    const run = await fx.run(['refresh', '--json', ...fx.flags()]);
    expect(run.code, run.stderr).toBe(0);
    expectNoSecrets(run, fx.secrets);
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    const cli = (await fx.readCli()).claudeAiOauth;
    expect(fx.fake.tokenState(stored.access)).toBe('valid');
    expect(cli.accessToken).toBe(stored.access); // written back: the CLI holds the live pair too
    expect(cli.refreshToken).toBe(stored.refresh);
    expect(fx.fake.tokenState(cli.refreshToken)).toBe('valid');
    // Ours was refused once (it was dead), the CLI's was spent once.
    expect(fx.fake.tokenRequests).toBe(2);
  });

  it('is adopted and refreshed by watch, without a cooldown (before: cooldown after cooldown)', async () => {
    await rotatedAwayWithLiveCliLogin();

    const watch = fx.spawn(['watch', ...fx.flags()], { env: fx.env({ OAUTH_RECOVERY_LOG_LEVEL: 'info' }) });
    try {
      await watch.waitFor(({ stderr }) => stderr.includes('"to":"valid"'), 120_000);
    } finally {
      watch.kill('SIGTERM');
    }
    const run = await watch.exited;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('"to":"cooldown"');
    expectNoSecrets(run, fx.secrets);
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    const cli = (await fx.readCli()).claudeAiOauth;
    expect(fx.fake.tokenState(stored.access)).toBe('valid');
    expect(cli.refreshToken).toBe(stored.refresh);
    expect(fx.fake.tokenState(cli.refreshToken)).toBe('valid');
    expect(fx.fake.tokenRequests).toBe(2);
  });
});

describe('a CLI file without expiresAt', () => {
  it('gets the rotated token fields written into the document that is there', async () => {
    const login = fx.login({ expiresAt: Date.now() - HOUR });
    await fx.writeStore(login);
    await writeCliDocument({
      accessToken: login.accessToken,
      refreshToken: login.refreshToken,
      scopes: ['user:inference'],
      subscriptionType: 'pro',
    });

    const run = await fx.run(['refresh', '--json', ...fx.flags()]);
    expect(run.code, run.stderr).toBe(0);
    const stored = (await fx.readStore()).profiles[PROFILE_ID];
    const document = await fx.readCli();
    expect(document.claudeAiOauth).toEqual({
      accessToken: stored.access,
      refreshToken: stored.refresh,
      expiresAt: stored.expires,
      // the answer carried `scope`: the CLI's own save replaces scopes with it
      scopes: ['user:inference', 'user:profile', 'user:sessions:claude_code'],
      subscriptionType: 'pro',
    });
    expect(document.mcpOAuth).toEqual({ keep: 'me' });
    expect(fx.fake.tokenState(document.claudeAiOauth.refreshToken)).toBe('valid');
    expect(fx.fake.tokenRequests).toBe(1);
  });
});

describe('a Claude config dir that cannot be written', () => {
  it('does not spend the refresh token the CLI holds; status and doctor say why', async () => {
    const login = fx.login({ expiresAt: Date.now() - HOUR });
    await fx.writeStore(login);
    await fx.writeCli(login);
    const before = await readFile(fx.cliPath, 'utf8');
    // Root ignores file modes: run the binary as an unprivileged user who owns the store but
    // not the CLI's dir (the CLI's file stays readable to it, as on a read-only mount).
    const as = isRoot ? { uid: NOBODY, gid: NOBODY } : {};
    if (isRoot) {
      await chmod(fx.dir, 0o755);
      for (const owned of [path.dirname(fx.storePath), fx.storePath, fx.home])
        await chown(owned, NOBODY, NOBODY);
      await mkdir(path.join(fx.home, '.config'), { recursive: true });
      await chown(path.join(fx.home, '.config'), NOBODY, NOBODY);
      await chmod(fx.claudeDir, 0o755);
      await chmod(fx.cliPath, 0o644);
    } else {
      await chmod(fx.cliPath, 0o444);
      await chmod(fx.claudeDir, 0o555);
    }

    try {
      const refresh = await fx.run(['refresh', '--json', ...fx.flags()], as);
      expect(refresh.code).not.toBe(0);
      expect(fx.fake.tokenRequests).toBe(0);
      expect(fx.fake.tokenState(login.refreshToken)).toBe('valid');
      expect(await readFile(fx.cliPath, 'utf8')).toBe(before);
      expect(`${refresh.stdout}${refresh.stderr}`).toMatch(/cannot be written/);

      const status = await fx.run(['status', '--json', ...fx.flags()], as);
      expect(JSON.parse(status.stdout).cli.writeBackBlocked).toMatch(/not writable \(EACCES\)/);
      const text = await fx.run(['status', ...fx.flags()], as);
      expect(text.stdout).toMatch(/^write-back {3}blocked: .* not spent/m);
      const doctor = await fx.run(['doctor', ...fx.flags()], as);
      expect(doctor.stdout).toMatch(/cannot be written .* will not spend that token/);
      expectNoSecrets(refresh, fx.secrets);
    } finally {
      await chmod(fx.claudeDir, 0o700);
    }
  });
});
