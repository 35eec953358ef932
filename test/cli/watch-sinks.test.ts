/**
 * `oauth-recovery watch --sink openclaw` end to end, as the host's single refresher: the CLI
 * binary under Node 24 (node:sqlite), the loopback Anthropic, and openclaw 2026.9.6's own loader
 * reading its store. openclaw keeps a usable token through a revoked refresh token, a new
 * Claude CLI login, and the CLI refreshing out of band.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerprintToken } from '../../src/credentials/fingerprint.js';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { missingRuntime, NODE24, runDriver } from '../support/runtimes.js';
import { createCliFixture, expectNoSecrets, expiresIn } from './cli-harness.js';
import { StatusJsonSchema } from './schemas.js';

const OURS = 'anthropic:oauth-recovery';
const OPENAI = { type: 'api_key', provider: 'openai', key: 'sk-openai-kept' };

const fx = fixturePerTest(createCliFixture);

/** Fingerprints of the tokens `watch` published, in order, from its NDJSON log. */
function published(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.includes('"event":"sinkPublished"'))
    .map((line) => (JSON.parse(line) as { fingerprint: string }).fingerprint);
}

interface OpenclawView {
  profiles: Record<string, unknown>;
  blocked: unknown;
  resolved: { apiKey: string; profileType: string } | null;
}

describe.skipIf(missingRuntime('node24', 'openclaw'))('watch --sink openclaw', () => {
  it("keeps openclaw's view usable through a revoked refresh token, a CLI login and a CLI refresh", async () => {
    const env = { HOME: fx.home, OPENCLAW_STATE_DIR: path.join(fx.home, '.openclaw') };
    // openclaw, installed and started once, created its store (with someone else's profile).
    await runDriver([{ op: 'ocCreate', profileId: 'openai:default', credential: OPENAI }], env);

    // Our login is due for a refresh, but its refresh token was revoked; the CLI holds the same login.
    const dead = fx.login({ expiresAt: expiresIn.minutes(3) });
    fx.fake.revoke(dead.refreshToken);
    await fx.writeStore(dead);
    await fx.writeCli(dead);
    const watch = fx.spawn(['watch', '--sink', 'openclaw', ...fx.flags()], {
      execPath: NODE24,
      env: fx.env(),
    });
    await watch.waitFor(({ stderr }) => stderr.includes('"lastError":"permanent"'), 60_000);
    await watch.waitFor(
      ({ stderr }) => published(stderr).includes(fingerprintToken(dead.accessToken)),
      30_000,
    );

    // A person logs in again with `claude`: watch adopts the login and publishes its access token.
    const fresh = fx.login();
    await fx.writeCli(fresh);
    await watch.waitFor(
      ({ stderr }) => published(stderr).includes(fingerprintToken(fresh.accessToken)),
      30_000,
    );
    const [afterLogin] = (await runDriver([{ op: 'ocRead', profileId: OURS }], env)) as [OpenclawView];
    expect(afterLogin.blocked).toBeNull();
    expect(afterLogin.resolved).toEqual({
      apiKey: fresh.accessToken,
      profileType: 'token',
      provider: 'anthropic',
    });
    expect(afterLogin.profiles['openai:default']).toEqual(OPENAI);

    // The Claude CLI refreshes out of band (rotating the pair): watch syncs and republishes.
    const rotated = fx.fake.rotate(fresh.refreshToken);
    fx.secrets.push(rotated.accessToken, rotated.refreshToken);
    await fx.writeCli(rotated);
    await watch.waitFor(
      ({ stderr }) => published(stderr).includes(fingerprintToken(rotated.accessToken)),
      30_000,
    );
    const [afterRotation] = (await runDriver([{ op: 'ocRead', profileId: OURS }], env)) as [OpenclawView];
    expect(afterRotation.resolved?.apiKey).toBe(rotated.accessToken);
    expect(fx.fake.tokenState(rotated.accessToken)).toBe('valid');

    watch.kill('SIGTERM');
    const run = await watch.exited;
    expect(run.code).toBe(0);
    // openclaw never got a refresh token: only access tokens were published, and none was logged.
    const stored = (await fx.readStore()).profiles['anthropic:claude-cli'];
    expect(JSON.stringify(afterRotation)).not.toContain(stored.refresh);
    expectNoSecrets(run, [...fx.secrets, stored.access, stored.refresh]);
  }, 400_000);
});

describe('watch --sink pi / exec, shown in status and doctor', () => {
  it('publishes to every sink, records a failing one without touching the refresh, and status/doctor show both', async () => {
    const login = fx.login();
    await fx.writeStore(login);
    await fx.writeCli(login);
    const out = path.join(fx.dir, 'token.txt');
    const watch = fx.spawn([
      'watch',
      '--sink',
      'pi',
      '--sink',
      `exec:cat > ${out}`,
      '--sink',
      'exec:echo nope >&2; exit 7',
      ...fx.flags(),
    ]);
    await watch.waitFor(
      ({ stderr }) => published(stderr).length === 2 && stderr.includes('"event":"sinkFailed"'),
    );
    watch.kill('SIGTERM');
    const run = await watch.exited;
    expect(run.code).toBe(0);
    expect(await readFile(out, 'utf8')).toBe(`${login.accessToken}\n`);
    const pi = JSON.parse(await readFile(path.join(fx.home, '.pi', 'agent', 'auth.json'), 'utf8'));
    expect(pi).toEqual({ anthropic: { type: 'api_key', key: login.accessToken } });
    expectNoSecrets(run, fx.secrets);

    const status = await fx.run(['status', '--json', ...fx.flags()]);
    expect(status.code).toBe(0);
    const report = StatusJsonSchema.parse(JSON.parse(status.stdout));
    expect(
      report.sinks?.sinks.map((sink) => [
        sink.kind,
        sink.lastPublishedFingerprint,
        sink.lastError?.message ?? null,
      ]),
    ).toEqual([
      ['pi', fingerprintToken(login.accessToken), null],
      ['exec', fingerprintToken(login.accessToken), null],
      ['exec', null, 'exec:echo nope >&2; exit 7: exited with code 7: nope'],
    ]);
    const text = await fx.run(['status', ...fx.flags()]);
    expect(text.stdout).toMatch(/^sinks +pi .*auth\.json: published .*, token expires /m);
    expect(text.stdout).toMatch(/exited with code 7/);

    const doctor = await fx.run(['doctor', '--json', ...fx.flags()]);
    const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ check: string; level: string }> })
      .findings;
    expect(findings.filter((f) => f.check.startsWith('sink.')).map((f) => [f.check, f.level])).toEqual([
      ['sink.pi', 'ok'],
      ['sink.exec', 'ok'],
      ['sink.exec', 'error'],
    ]);
    expect(doctor.code).toBe(1);
    expectNoSecrets(status, fx.secrets);
    expectNoSecrets(doctor, fx.secrets);
  });

  it('an unknown sink is a one-line error before anything starts', async () => {
    await fx.writeStore(fx.login());
    const run = await fx.run(['watch', '--sink', 'ftp', ...fx.flags()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ftp: unknown sink/);
  });
});
