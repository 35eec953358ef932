/** `oauth-recovery watch`: keeps the profile fresh, logs transitions, exits 0 on a signal with no lock left. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createCliFixture, expectNoSecrets, expiresIn } from './cli-harness.js';

const fx = fixturePerTest(createCliFixture);

function events(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('watch', () => {
  it('refreshes a token inside the refresh window, logs NDJSON, and exits 0 on SIGTERM with no lock left', async () => {
    const login = fx.login({ expiresAt: expiresIn.minutes(3) });
    await fx.writeStore(login);
    await fx.writeCli(login);
    const watch = fx.spawn(['watch', ...fx.flags()]);
    await watch.waitFor(
      ({ stderr }) => stderr.includes('"event":"refreshed"') && stderr.includes('"to":"valid"'),
    );
    await watch.waitFor(({ stderr }) => stderr.includes('"event":"watching"'));
    watch.kill('SIGTERM');
    const run = await watch.exited;
    expect(run.code).toBe(0);
    const logged = events(run.stderr);
    const names = logged.map((entry) => entry.event);
    expect(names).toEqual(
      expect.arrayContaining(['started', 'state', 'refreshed', 'watching', 'signal', 'stopped']),
    );
    expect(logged.filter((entry) => entry.event === 'state').map((entry) => entry.to)).toEqual([
      'valid',
      'refreshing',
      'valid',
    ]);
    expect(fx.fake.tokenRequests).toBe(1);
    expect(existsSync(`${fx.storePath}.lock`)).toBe(false);
    expect(existsSync(`${fx.cliPath}.lock`)).toBe(false);
    const stored = (await fx.readStore()).profiles['anthropic:claude-cli'];
    expectNoSecrets(run, [...fx.secrets, stored.access, stored.refresh]);
  });

  it('SIGHUP mid-refresh (an SSH hang-up) stops like SIGTERM: the save is awaited, the rotated pair is stored, exit 0', async () => {
    const login = fx.login({ expiresAt: expiresIn.minutes(3) });
    await fx.writeStore(login);
    await fx.writeCli(login);
    fx.fake.setLatency(400);
    const watch = fx.spawn(['watch', ...fx.flags()]);
    await watch.waitFor(({ stderr }) => stderr.includes('"to":"refreshing"'));
    watch.kill('SIGHUP');
    const run = await watch.exited;
    expect(run.code).toBe(0);
    expect(fx.fake.tokenRequests).toBe(1);
    const stored = (await fx.readStore()).profiles['anthropic:claude-cli'];
    expect(stored.access).not.toBe(login.accessToken);
    expect(fx.fake.tokenState(stored.access)).toBe('valid');
    expect(existsSync(`${fx.storePath}.lock`)).toBe(false);
  });

  it('exits 0 on SIGINT while idle', async () => {
    await fx.writeStore(fx.login());
    const watch = fx.spawn(['watch', ...fx.flags()]);
    await watch.waitFor(({ stderr }) => stderr.includes('"event":"watching"'));
    watch.kill('SIGINT');
    const run = await watch.exited;
    expect(run.code).toBe(0);
    expect(events(run.stderr).at(-1)).toMatchObject({ event: 'stopped' });
    expect(existsSync(`${fx.storePath}.lock`)).toBe(false);
  });

  it('fails at once (exit 1, one line) when the store is unreadable', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(fx.storePath, { recursive: true });
    const run = await fx.run(['watch', ...fx.flags()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*is a directory/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
