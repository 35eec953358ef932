/**
 * The openclaw sink on real SQLite files (node:sqlite under the cached Node 24, through
 * test/support/node24/driver.mjs), with openclaw 2026.9.6's auth tables, at each failure step.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { missingRuntime, runDriver } from '../support/runtimes.js';

const skip = missingRuntime('node24');
const OURS = 'anthropic:oauth-recovery';
const token = {
  accessToken: 'sk-ant-oat01-sink',
  expiresAt: 1_900_000_000_000,
  profileId: 'anthropic:claude-cli',
};
const OTHERS = {
  version: 1,
  profiles: {
    'openai:default': { type: 'api_key', provider: 'openai', key: 'sk-openai', future: { x: 1 } },
    'anthropic:claude-cli': { type: 'oauth', provider: 'anthropic', access: 'a', refresh: 'r', expires: 5 },
  },
};
const STATE = {
  version: 1,
  lastGood: { openai: 'openai:default' },
  usageStats: { 'openai:default': { lastUsed: 7 } },
};

let stateDir: string;
let agentDb: string;
let stateDb: string;
beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-oc-'));
  agentDb = path.join(stateDir, 'agents', 'main', 'agent', 'openclaw-agent.sqlite');
  stateDb = path.join(stateDir, 'state', 'openclaw.sqlite');
  await mkdir(path.dirname(agentDb), { recursive: true });
  await mkdir(path.dirname(stateDb), { recursive: true });
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const seedAgent = (store: unknown = OTHERS, state: unknown = STATE) => [
  { op: 'schema', path: agentDb, kind: 'agent' },
  {
    op: 'sql',
    path: agentDb,
    sql: "INSERT INTO auth_profile_store VALUES ('primary', ?, 1)",
    params: [JSON.stringify(store)],
  },
  {
    op: 'sql',
    path: agentDb,
    sql: "INSERT INTO auth_profile_state VALUES ('primary', ?, 1)",
    params: [JSON.stringify(state)],
  },
];

describe.skipIf(skip)('openclaw SQLite sink', () => {
  it('legacy-main (no state database): writes our token profile into the main agent database, keeping the rest', async () => {
    const [, rows] = (
      await runDriver([
        ...seedAgent(),
        { op: 'publish', options: { stateDir }, token },
        { op: 'rows', path: agentDb },
      ])
    ).slice(3) as [unknown, { store: string; state: string }];
    const store = JSON.parse(rows.store);
    expect(store).toEqual({
      ...OTHERS,
      profiles: {
        ...OTHERS.profiles,
        [OURS]: { type: 'token', provider: 'anthropic', token: token.accessToken, expires: token.expiresAt },
      },
    });
    expect(JSON.parse(rows.state)).toEqual(STATE);
    expect(existsSync(stateDb)).toBe(false);
  });

  it('state-db: follows auth.sharedStore into config_machine_state and leaves the agent database alone', async () => {
    const results = await runDriver([
      ...seedAgent(),
      { op: 'schema', path: stateDb, kind: 'state' },
      {
        op: 'sql',
        path: stateDb,
        sql: 'INSERT INTO config_machine_state VALUES (\'auth.sharedStore\', \'{"location":"state-db"}\', 1)',
      },
      {
        op: 'sql',
        path: stateDb,
        sql: "INSERT INTO config_machine_state VALUES ('authProfiles.store', ?, 1)",
        params: [JSON.stringify(OTHERS)],
      },
      {
        op: 'sql',
        path: stateDb,
        sql: "INSERT INTO config_machine_state VALUES ('other.key', '{\"keep\":true}', 1)",
      },
      { op: 'publish', options: { stateDir, preferInOrder: true }, token },
      { op: 'rows', path: stateDb },
      { op: 'rows', path: agentDb },
    ]);
    const [published, shared, agent] = results.slice(-3) as [
      unknown,
      { kv: Record<string, string> },
      { store: string },
    ];
    expect(published).toEqual({ ok: true });
    expect(JSON.parse(shared.kv['authProfiles.store'] ?? '')).toMatchObject({
      profiles: { [OURS]: { type: 'token', token: token.accessToken } },
    });
    expect(JSON.parse(shared.kv['authProfiles.state'] ?? '')).toEqual({
      version: 1,
      order: { anthropic: [OURS, 'anthropic:claude-cli'] },
    });
    expect(shared.kv['other.key']).toBe('{"keep":true}');
    expect(JSON.parse(agent.store)).toEqual(OTHERS);
  });

  it("--openclaw-agent writes that agent's own database", async () => {
    const work = path.join(stateDir, 'agents', 'work', 'agent', 'openclaw-agent.sqlite');
    await mkdir(path.dirname(work), { recursive: true });
    const results = await runDriver([
      { op: 'schema', path: work, kind: 'agent' },
      { op: 'publish', options: { stateDir, agentId: 'work', profileId: 'anthropic:mine' }, token },
      { op: 'rows', path: work },
    ]);
    const rows = results[2] as { store: string; state: string | null };
    expect(JSON.parse(rows.store).profiles).toEqual({
      'anthropic:mine': {
        type: 'token',
        provider: 'anthropic',
        token: token.accessToken,
        expires: token.expiresAt,
      },
    });
    expect(rows.state).toBeNull();
  });

  it('never creates a database: a missing one is a SinkError and no file appears', async () => {
    const [result] = (await runDriver([{ op: 'publish', options: { stateDir }, token }])) as [
      { error: { code: string; message: string } },
    ];
    expect(result.error.code).toBe('SINK');
    expect(result.error.message).toMatch(/does not exist; nothing was created/);
    expect(existsSync(agentDb)).toBe(false);
    expect(existsSync(stateDb)).toBe(false);
  });

  it('refuses a newer schema than openclaw 2026.9.6 reads, and a database without the auth tables', async () => {
    const other = path.join(stateDir, 'agents', 'x', 'agent', 'openclaw-agent.sqlite');
    await mkdir(path.dirname(other), { recursive: true });
    const results = (await runDriver([
      { op: 'schema', path: agentDb, kind: 'agent', userVersion: 24 },
      { op: 'publish', options: { stateDir }, token },
      { op: 'schema', path: other, kind: 'state' },
      { op: 'publish', options: { stateDir, agentId: 'x' }, token },
    ])) as Array<{ error?: { message: string } }>;
    expect(results[1]?.error?.message).toMatch(
      /schema version 24 is newer than 23 \(openclaw 2026\.9\.6\); not written/,
    );
    expect(results[3]?.error?.message).toMatch(/no auth_profile_store table/);
  });

  it('leaves a row openclaw could not read untouched', async () => {
    const results = await runDriver([
      { op: 'schema', path: agentDb, kind: 'agent' },
      { op: 'sql', path: agentDb, sql: "INSERT INTO auth_profile_store VALUES ('primary', '{broken', 1)" },
      { op: 'publish', options: { stateDir }, token },
      { op: 'rows', path: agentDb },
    ]);
    expect((results[2] as { error: { message: string } }).error.message).toMatch(
      /store row is not JSON; left untouched/,
    );
    expect((results[3] as { store: string }).store).toBe('{broken');
  });

  it('waits at most busyTimeoutMs for openclaw holding the write lock, then fails without writing; the next publish lands', async () => {
    const results = await runDriver([
      ...seedAgent(),
      { op: 'hold', path: agentDb },
      { op: 'publish', options: { stateDir, busyTimeoutMs: 50 }, token },
      { op: 'release', path: agentDb },
      { op: 'rows', path: agentDb },
      { op: 'publish', options: { stateDir }, token },
      { op: 'rows', path: agentDb },
    ]);
    expect((results[4] as { error: { message: string } }).error.message).toMatch(/database is locked/);
    expect(JSON.parse((results[6] as { store: string }).store)).toEqual(OTHERS);
    expect(results[7]).toEqual({ ok: true });
    expect(JSON.parse((results[8] as { store: string }).store).profiles[OURS].token).toBe(token.accessToken);
  });

  it('publishing the same token again writes nothing (updated_at stays)', async () => {
    const results = await runDriver([
      ...seedAgent(),
      { op: 'publish', options: { stateDir }, token },
      { op: 'sql', path: agentDb, sql: 'UPDATE auth_profile_store SET updated_at = 42' },
      { op: 'publish', options: { stateDir }, token },
      {
        op: 'sql',
        path: agentDb,
        sql: 'UPDATE auth_profile_store SET updated_at = 43 WHERE updated_at = 42',
      },
    ]);
    expect(results.at(-1)).toBe(1);
  });
});
