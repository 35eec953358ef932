/** `doctor` explains the one-refresher setup: openclaw 2026.7+'s SQLite store, the retired JSON store and profile. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePerTest } from '../support/fixture-per-test.js';
import { createCliFixture } from './cli-harness.js';

const fx = fixturePerTest(createCliFixture);

interface Finding {
  check: string;
  level: string;
  message: string;
  fix: string | null;
}

async function findings(args: string[]): Promise<Finding[]> {
  const run = await fx.run(['doctor', '--json', ...args]);
  return (JSON.parse(run.stdout) as { findings: Finding[] }).findings.filter((f) =>
    f.check.startsWith('openclaw.'),
  );
}

describe('doctor on a host with openclaw', () => {
  it('2026.7+: says our own store holds the refresh token, and warns about the retired JSON store and its anthropic:claude-cli profile', async () => {
    const openclaw = path.join(fx.home, '.openclaw');
    await mkdir(path.join(openclaw, 'state'), { recursive: true });
    await writeFile(path.join(openclaw, 'state', 'openclaw.sqlite'), '');
    const legacy = path.join(openclaw, 'agents', 'main', 'agent', 'auth-profiles.json');
    await mkdir(path.dirname(legacy), { recursive: true });
    await writeFile(
      legacy,
      JSON.stringify({ version: 1, profiles: { 'anthropic:claude-cli': { type: 'oauth' } } }),
    );

    const found = await findings([]);
    const store = found.find((f) => f.check === 'openclaw.store');
    expect(store?.level).toBe('ok');
    expect(store?.message).toContain(path.join(fx.home, '.config', 'oauth-recovery', 'auth-profiles.json'));
    expect(store?.message).toContain('watch --sink openclaw');
    const stale = found.find((f) => f.check === 'openclaw.legacyJson');
    expect(stale).toMatchObject({ level: 'warn' });
    expect(stale?.message).toMatch(/anthropic:claude-cli profile.*AUTH_PROFILE_MIGRATION_REQUIRED/);
    expect(stale?.fix).toMatch(
      /openclaw doctor --fix.*Migrating from the retired anthropic:claude-cli profile/,
    );

    // Pointing our store at the retired file is called out too.
    const pinned = await findings(['--store', legacy]);
    expect(pinned.filter((f) => f.check === 'openclaw.store').map((f) => f.level)).toEqual(['ok', 'warn']);
  });

  it('≤ 2026.6 (JSON only): shared directly, no sink needed', async () => {
    const legacy = path.join(fx.home, '.openclaw', 'agents', 'main', 'agent', 'auth-profiles.json');
    await mkdir(path.dirname(legacy), { recursive: true });
    await writeFile(legacy, JSON.stringify({ version: 1, profiles: {} }));
    const found = await findings([]);
    expect(found).toEqual([
      expect.objectContaining({
        check: 'openclaw.store',
        level: 'ok',
        message: expect.stringMatching(/no sink needed/),
      }),
    ]);
  });
});
