/** Which store file is used by default: env override, an existing openclaw store, else our own. */
import { describe, expect, it } from 'vitest';
import {
  openclawSqliteStorePath,
  openclawStorePath,
  ownStorePath,
  resolveDefaultStorePath,
} from '../../src/store/default-store-path.js';

const home = '/home/ada';
const none = () => false;

describe('resolveDefaultStorePath', () => {
  it('OAUTH_RECOVERY_STORE wins', () => {
    expect(
      resolveDefaultStorePath({
        env: { OAUTH_RECOVERY_STORE: '/srv/store.json' },
        homeDir: home,
        exists: () => true,
      }),
    ).toEqual({
      path: '/srv/store.json',
      origin: 'env',
    });
  });

  it("uses openclaw's store when it exists (state dir default ~/.openclaw)", () => {
    const openclaw = '/home/ada/.openclaw/agents/main/agent/auth-profiles.json';
    expect(openclawStorePath({ env: {}, homeDir: home })).toBe(openclaw);
    expect(resolveDefaultStorePath({ env: {}, homeDir: home, exists: (p) => p === openclaw })).toEqual({
      path: openclaw,
      origin: 'openclaw',
    });
  });

  it('honours OPENCLAW_STATE_DIR', () => {
    const openclaw = '/var/lib/openclaw/agents/main/agent/auth-profiles.json';
    expect(
      resolveDefaultStorePath({
        env: { OPENCLAW_STATE_DIR: '/var/lib/openclaw' },
        homeDir: home,
        exists: (p) => p === openclaw,
      }),
    ).toEqual({ path: openclaw, origin: 'openclaw' });
  });

  it('falls back to our own file under XDG_CONFIG_HOME, default ~/.config', () => {
    expect(resolveDefaultStorePath({ env: {}, homeDir: home, exists: none })).toEqual({
      path: '/home/ada/.config/oauth-recovery/auth-profiles.json',
      origin: 'own',
    });
    expect(ownStorePath({ env: { XDG_CONFIG_HOME: '/cfg' }, homeDir: home })).toBe(
      '/cfg/oauth-recovery/auth-profiles.json',
    );
  });

  it("openclaw 2026.7+'s SQLite store present: our own file, never openclaw's JSON (even when it exists)", () => {
    const json = '/home/ada/.openclaw/agents/main/agent/auth-profiles.json';
    for (const sqlite of [
      '/home/ada/.openclaw/state/openclaw.sqlite',
      '/home/ada/.openclaw/agents/main/agent/openclaw-agent.sqlite',
    ]) {
      const exists = (p: string) => p === json || p === sqlite;
      expect(openclawSqliteStorePath({ env: {}, homeDir: home, exists })).toBe(sqlite);
      expect(resolveDefaultStorePath({ env: {}, homeDir: home, exists })).toEqual({
        path: '/home/ada/.config/oauth-recovery/auth-profiles.json',
        origin: 'own',
      });
    }
    expect(openclawSqliteStorePath({ env: {}, homeDir: home, exists: (p) => p === json })).toBeNull();
  });
});
