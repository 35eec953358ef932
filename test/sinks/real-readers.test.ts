/**
 * Proof against the real readers: what our sinks wrote is read by openclaw 2026.9.6's own
 * auth-profile loader and by pi 1.6.0's own auth storage, running under Node 24 from the
 * cache `.ci/runtimes.sh` fills. The databases are created by openclaw's own code.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { missingRuntime, runDriver } from '../support/runtimes.js';

const OURS = 'anthropic:oauth-recovery';
const OPENAI = { type: 'api_key', provider: 'openai', key: 'sk-openai-kept' };
const token = {
  accessToken: 'sk-ant-oat01-published',
  expiresAt: Date.now() + 8 * 3600_000,
  profileId: 'anthropic:claude-cli',
};

let root: string;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-readers-'));
  await mkdir(path.join(root, 'home'));
  env = { HOME: path.join(root, 'home'), OPENCLAW_STATE_DIR: path.join(root, 'state') };
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

interface OpenclawView {
  profiles: Record<string, unknown>;
  order: string[];
  eligibility: { eligible: boolean; reasonCode: string };
  blocked: { code: string } | null;
  resolved: { apiKey: string; profileType: string; provider: string } | null;
}

describe.skipIf(missingRuntime('node24', 'openclaw'))("openclaw 2026.9.6's own loader", () => {
  it('shared store: a legacy auth-profiles.json blocks anthropic while SQLite is empty; our published token unblocks it and is usable; openai is kept', async () => {
    const stateDir = env.OPENCLAW_STATE_DIR as string;
    const stateDb = path.join(stateDir, 'state', 'openclaw.sqlite');
    const legacy = path.join(stateDir, 'agents', 'main', 'agent', 'auth-profiles.json');
    const results = await runDriver(
      [
        // openclaw creates its shared store (a fresh install relocates it to state-db) with an openai key.
        { op: 'ocCreate', profileId: 'openai:default', credential: OPENAI },
        { op: 'ocRead', profileId: OURS },
        // Now as on a host upgraded from ≤ 2026.6: our old default store next to an empty SQLite store.
        {
          op: 'sql',
          path: stateDb,
          sql: 'UPDATE config_machine_state SET value_json = \'{"version":1,"profiles":{}}\' WHERE state_key = \'authProfiles.store\'',
        },
        {
          op: 'writeFile',
          path: legacy,
          text: JSON.stringify({
            version: 1,
            profiles: {
              'anthropic:claude-cli': {
                type: 'oauth',
                provider: 'anthropic',
                access: 'old-a',
                refresh: 'old-r',
                expires: 1,
              },
            },
          }),
        },
        { op: 'ocRead', profileId: OURS },
        { op: 'publish', options: { stateDir }, token },
      ],
      env,
    );
    // openclaw remembers a refusal for the life of its process: read again as a restarted gateway.
    const [after] = (await runDriver([{ op: 'ocRead', profileId: OURS }], env)) as [OpenclawView];
    const before = results[1] as OpenclawView;
    expect(before.profiles).toEqual({ 'openai:default': OPENAI });
    const blocked = results[4] as OpenclawView;
    expect(blocked.blocked?.code).toBe('AUTH_PROFILE_MIGRATION_REQUIRED');
    expect(results[5]).toEqual({ ok: true });
    expect(after.blocked).toBeNull();
    expect(after.eligibility).toEqual({ eligible: true, reasonCode: 'ok' });
    expect(after.order).toEqual([OURS]);
    expect(after.resolved).toEqual({
      apiKey: token.accessToken,
      profileType: 'token',
      provider: 'anthropic',
    });
  }, 400_000);

  it("an agent's own database (created by openclaw): our profile is usable and its other profiles are kept", async () => {
    const stateDir = env.OPENCLAW_STATE_DIR as string;
    const agentDir = path.join(stateDir, 'agents', 'work', 'agent');
    const results = await runDriver(
      [
        { op: 'ocCreate', agentDir, profileId: 'openai:default', credential: OPENAI },
        {
          op: 'ocCreate',
          agentDir,
          profileId: 'anthropic:manual',
          credential: { type: 'api_key', provider: 'anthropic', key: 'sk-ant-api-manual' },
        },
        { op: 'publish', options: { stateDir, agentId: 'work', preferInOrder: true }, token },
        { op: 'ocRead', agentDir, profileId: OURS },
      ],
      env,
    );
    expect(results[2]).toEqual({ ok: true });
    const view = results[3] as OpenclawView;
    expect(view.profiles).toMatchObject({
      'openai:default': OPENAI,
      'anthropic:manual': { type: 'api_key', key: 'sk-ant-api-manual' },
    });
    expect(view.order[0]).toBe(OURS);
    expect(view.order).toContain('anthropic:manual');
    expect(view.blocked).toBeNull();
    expect(view.resolved).toEqual({ apiKey: token.accessToken, profileType: 'token', provider: 'anthropic' });
  }, 400_000);
});

describe.skipIf(missingRuntime('node24', 'pi'))("pi 1.6.0's own auth storage", () => {
  it('reads the access token as the anthropic api key and keeps the other providers', async () => {
    const authPath = path.join(root, 'pi', 'agent', 'auth.json');
    await mkdir(path.dirname(authPath), { recursive: true });
    await writeFile(authPath, JSON.stringify({ openai: { type: 'api_key', key: 'sk-openai' } }));
    const results = await runDriver(
      [
        { op: 'publishPi', options: { authPath }, token },
        { op: 'piRead', authPath },
      ],
      env,
    );
    expect(results[0]).toEqual({ ok: true });
    const read = results[1] as { anthropic: unknown; list: unknown };
    expect(read.anthropic).toEqual({ type: 'api_key', key: token.accessToken });
    expect(read.list).toEqual([
      { providerId: 'openai', type: 'api_key' },
      { providerId: 'anthropic', type: 'api_key' },
    ]);
  }, 400_000);
});
