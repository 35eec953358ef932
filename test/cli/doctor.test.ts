/** `oauth-recovery doctor`: findings with level, message and fix; exit 1 on any error. */
import { chmod, mkdir, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createCliFixture, expectNoSecrets, expiresIn } from './cli-harness.js';
import { DoctorJsonSchema } from './schemas.js';

const fx = fixturePerTest(createCliFixture);

async function doctor(extra: string[] = [], flags = fx.flags()) {
  const run = await fx.run(['doctor', '--json', ...flags, ...extra]);
  expectNoSecrets(run, fx.secrets);
  return { run, report: DoctorJsonSchema.parse(JSON.parse(run.stdout)) };
}

function finding(report: ReturnType<typeof DoctorJsonSchema.parse>, check: string) {
  return report.findings.find((item) => item.check === check);
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('doctor', () => {
  it('finds a healthy setup healthy (exit 0), and the endpoint answering with --online', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    await fx.writeCli(login);
    await chmod(path.dirname(fx.storePath), 0o700);
    const { run, report } = await doctor(['--online']);
    expect(run.code).toBe(0);
    expect(report.errors).toBe(0);
    for (const check of [
      'store.file',
      'store.mode',
      'store.dirMode',
      'store.json',
      'profile',
      'expiry',
      'cli',
      'freshness',
      'online',
    ]) {
      expect(finding(report, check), check).toMatchObject({ level: 'ok' });
    }
    // A loopback token URL is fine for tests but worth a warning in production.
    expect(finding(report, 'tokenUrl')).toMatchObject({ level: 'warn' });
    expect(finding(report, 'online')?.message).toMatch(/400 invalid_grant/);
    expect(fx.fake.tokenRequests).toBe(1);
  });

  it('prints each finding and its fix as text', async () => {
    await fx.writeStore(fx.login({ expiresAt: Date.now() - 120_000 }));
    await chmod(fx.storePath, 0o644);
    const run = await fx.run(['doctor', ...fx.flags()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^warn {3}store mode is 0644/m);
    expect(run.stdout).toMatch(/^ {7}fix: chmod 600 '/m);
    expect(run.stdout).toMatch(/^warn {3}access token expired/m);
    expect(run.stdout).toMatch(/^warn {3}no Claude CLI credentials/m);
    expect(run.stdout).toMatch(/^0 error\(s\), \d+ warning\(s\)$/m);
  });

  it('exits 1 when the store is missing, with the fix', async () => {
    const { run, report } = await doctor();
    expect(run.code).toBe(1);
    expect(report.ok).toBe(false);
    expect(finding(report, 'store.file')).toMatchObject({
      level: 'error',
      fix: expect.stringContaining('oauth-recovery sync'),
    });
  });

  it('exits 1 for malformed JSON, a missing profile, and an unreadable CLI file', async () => {
    await mkdir(path.dirname(fx.storePath), { recursive: true });
    await writeFile(fx.storePath, '{"version":2,"profiles":{}}', { mode: 0o600 });
    await writeFile(fx.cliPath, 'not json', { mode: 0o600 });
    const broken = await doctor();
    expect(broken.run.code).toBe(1);
    expect(finding(broken.report, 'store.json')).toMatchObject({ level: 'error' });
    expect(finding(broken.report, 'cli')).toMatchObject({ level: 'error' });

    await fx.writeStore(null);
    const noProfile = await doctor();
    expect(finding(noProfile.report, 'profile')).toMatchObject({
      level: 'error',
      message: expect.stringContaining('not in the store'),
    });
  });

  it('warns about fresher CLI credentials, a blank CLI, a cooldown and loose modes', async () => {
    await fx.writeStore(fx.login({ expiresAt: expiresIn.minutes(30) }), {
      usageStats: { 'anthropic:claude-cli': { cooldownUntil: expiresIn.minutes(5), errorCount: 2 } },
    });
    await fx.writeCli(fx.login());
    await chmod(fx.cliPath, 0o644);
    const { report } = await doctor();
    expect(finding(report, 'freshness')).toMatchObject({ level: 'warn', fix: 'Run `oauth-recovery sync`.' });
    expect(finding(report, 'cooldown')).toMatchObject({ level: 'warn' });
    expect(finding(report, 'cli.mode')).toMatchObject({ level: 'warn' });

    await fx.writeCli('blank');
    const blank = await doctor();
    expect(finding(blank.report, 'cli')).toMatchObject({
      level: 'warn',
      message: expect.stringContaining('logged out'),
    });
  });

  it('finds a stale lock directory and tells how to clear it', async () => {
    await fx.writeStore(fx.login());
    const lock = `${fx.storePath}.lock`;
    await mkdir(lock);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const { run, report } = await doctor();
    expect(run.code).toBe(0);
    expect(finding(report, 'store.lock')).toMatchObject({
      level: 'warn',
      message: expect.stringContaining('stale lock'),
      fix: expect.stringContaining(`rm -r '${lock}'`),
    });
  });

  it('reports a store directory any user may write: an error without the sticky bit, a warning with it (issue 11)', async () => {
    await fx.writeStore(fx.login());
    const dir = path.dirname(fx.storePath);
    await chmod(dir, 0o777);
    const open = await doctor();
    expect(open.run.code).toBe(1);
    expect(finding(open.report, 'store.directory')).toMatchObject({
      level: 'error',
      message: expect.stringContaining('world-writable without the sticky bit'),
      fix: expect.stringContaining(`chmod o-w '${dir}'`),
    });
    await chmod(dir, 0o1777);
    const sticky = await doctor();
    expect(finding(sticky.report, 'store.directory')).toMatchObject({
      level: 'warn',
      message: expect.stringContaining('world-writable (sticky)'),
    });
  });

  it('reports an insecure token URL and an unreachable endpoint as errors', async () => {
    await fx.writeStore(fx.login());
    const insecure = await doctor([], ['--store', fx.storePath, '--token-url', 'http://example.com/token']);
    expect(insecure.run.code).toBe(1);
    expect(finding(insecure.report, 'tokenUrl')).toMatchObject({
      level: 'error',
      fix: expect.stringContaining('https://'),
    });

    const port = await closedPort();
    const offline = await doctor(
      ['--online'],
      ['--store', fx.storePath, '--token-url', `http://127.0.0.1:${port}/v1/oauth/token`],
    );
    expect(offline.run.code).toBe(1);
    expect(finding(offline.report, 'online')).toMatchObject({
      level: 'error',
      message: expect.stringContaining('cannot reach'),
    });
  });
});
