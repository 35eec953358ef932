/**
 * Issue 10, the race with the Claude Code CLI, against a stand-in process that follows the
 * CLI's own protocol (test/support/claude-code-stand-in.ts): both sides start refreshing one
 * shared, expired login at the same moment, 24 rounds in three orders: a free race; the
 * stand-in holding its lock first (we wait and adopt its pair); ours held first (told by our
 * owner record appearing: the stand-in must find it valid, wait and adopt). Every round: exactly
 * one token request, no invalid_grant, the CLI's file never blanked and ending on the live
 * pair our store also holds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/logging/logger.js';
import { createAuthRecovery } from '../../src/runtime/index.js';
import { bundleWorker } from '../support/bundle-worker.js';
import type { StandInReport } from '../support/claude-code-stand-in.js';
import { FAKE_CLIENT_ID, type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.js';
import { PROFILE_ID } from '../support/runtime-fixture.js';

const ROUNDS = 24;
const HOUR = 3_600_000;

let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let fake: FakeAnthropic;
let dir: string;

beforeAll(async () => {
  bundle = await bundleWorker(path.join(import.meta.dirname, '../support/claude-code-stand-in.ts'));
  fake = await startFakeAnthropic();
  dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-cc-race-'));
});

afterAll(async () => {
  await fake?.close();
  await bundle?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface StandIn {
  child: ChildProcess;
  next(type: string): Promise<Record<string, unknown>>;
}

function startStandIn(claudeDir: string): StandIn {
  const child = spawn(process.execPath, [bundle.file, claudeDir, fake.tokenUrl, FAKE_CLIENT_ID], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const seen: Array<Record<string, unknown>> = [];
  const waiters: Array<{ type: string; resolve: (m: Record<string, unknown>) => void }> = [];
  child.on('message', (message: Record<string, unknown>) => {
    const index = waiters.findIndex((waiter) => waiter.type === message.type);
    if (index >= 0) waiters.splice(index, 1)[0]?.resolve(message);
    else seen.push(message);
  });
  return {
    child,
    next: (type) =>
      new Promise((resolve, reject) => {
        const early = seen.findIndex((message) => message.type === type);
        if (early >= 0) return resolve(seen.splice(early, 1)[0] as Record<string, unknown>);
        waiters.push({ type, resolve });
        child.once('exit', () => setImmediate(() => reject(new Error(`stand-in exited before ${type}`))));
      }),
  };
}

/** Resolves when our owner record exists in `claudeDir` (we hold the CLI's refresh locks). */
function ownerRecordAppears(claudeDir: string): Promise<void> {
  const owner = path.join(claudeDir, '.oauth_refresh.lock.owner');
  return new Promise((resolve) => {
    const watcher = watch(claudeDir, () => {
      if (!existsSync(owner)) return;
      watcher.close();
      resolve();
    });
  });
}

async function writeSharedExpiredLogin(storePath: string, cliPath: string) {
  const login = { ...fake.issueLogin(), expiresAt: Date.now() - HOUR };
  await mkdir(path.dirname(storePath), { recursive: true, mode: 0o700 });
  await writeFile(
    storePath,
    JSON.stringify({
      version: 1,
      profiles: {
        [PROFILE_ID]: {
          type: 'oauth',
          provider: 'anthropic',
          access: login.accessToken,
          refresh: login.refreshToken,
          expires: login.expiresAt,
        },
      },
    }),
    { mode: 0o600 },
  );
  const oauth = {
    accessToken: login.accessToken,
    refreshToken: login.refreshToken,
    expiresAt: login.expiresAt,
    scopes: ['user:inference', 'user:profile'],
    subscriptionType: 'max',
  };
  await writeFile(cliPath, JSON.stringify({ claudeAiOauth: oauth }), { mode: 0o600 });
  return login;
}

describe('racing a process that follows the Claude Code CLI protocol', () => {
  it(`${ROUNDS} rounds over a shared expired login: one token request each, no invalid_grant, never blanked`, async () => {
    const claudeDir = path.join(dir, 'home', '.claude');
    await mkdir(claudeDir, { recursive: true, mode: 0o700 });
    const cliPath = path.join(claudeDir, '.credentials.json');
    const storePath = path.join(dir, 'store', 'auth-profiles.json');
    const outcomes: string[] = [];
    const owners: string[] = [];
    const started = performance.now();

    for (let round = 1; round <= ROUNDS; round += 1) {
      await writeSharedExpiredLogin(storePath, cliPath);
      const standIn = startStandIn(claudeDir);
      await standIn.next('ready');
      const auth = createAuthRecovery({
        store: storePath,
        claudeConfigDir: claudeDir,
        tokenUrl: fake.tokenUrl,
        watchCli: false,
        logger: createSilentLogger(),
      });
      const requestsBefore = fake.tokenRequests;
      const report = standIn.next('report') as Promise<StandInReport & Record<string, unknown>>;
      const order = (['free race', 'stand-in first', 'ours first'] as const)[round % 3] ?? 'free race';
      let ours: Promise<string>;
      if (order === 'ours first') {
        const ownerShown = ownerRecordAppears(claudeDir);
        ours = auth.start().then(() => auth.getAccessToken());
        await ownerShown;
        standIn.child.send('go');
      } else {
        standIn.child.send('go');
        if (order === 'stand-in first') await standIn.next('locked');
        ours = auth.start().then(() => auth.getAccessToken());
      }
      const token = await ours;
      const { outcome, ownerRecords } = await report;
      await auth.stop();

      const cli = JSON.parse(await readFile(cliPath, 'utf8')).claudeAiOauth;
      const stored = JSON.parse(await readFile(storePath, 'utf8')).profiles[PROFILE_ID];
      outcomes.push(outcome);
      owners.push(...ownerRecords);
      expect(fake.tokenRequests - requestsBefore, `round ${round}`).toBe(1);
      // not_needed: under load the stand-in read the file after our write-back had landed.
      expect(['refreshed', 'adopted', 'not_needed'], `round ${round} (${order})`).toContain(outcome);
      expect(cli.refreshToken, `round ${round}: the CLI's file was blanked`).not.toBe('');
      expect(fake.tokenState(cli.accessToken), `round ${round}`).toBe('valid');
      expect(fake.tokenState(cli.refreshToken), `round ${round}`).toBe('valid');
      expect(stored.access).toBe(cli.accessToken);
      expect(stored.refresh).toBe(cli.refreshToken);
      expect(token).toBe(cli.accessToken);
    }
    const summary = {
      rounds: ROUNDS,
      standInRefreshed: outcomes.filter((o) => o === 'refreshed').length,
      standInAdopted: outcomes.filter((o) => o === 'adopted' || o === 'not_needed').length,
      ownerRecordsSeen: owners.filter((o) => o === 'valid').length,
      ms: Math.round(performance.now() - started),
    };
    console.log(`claude-code stand-in race: ${JSON.stringify(summary)}`);
    // Both won: the stand-in refreshed at least when it locked first, and adopted when we did.
    expect(summary.standInRefreshed).toBeGreaterThanOrEqual(ROUNDS / 3);
    expect(summary.standInAdopted).toBeGreaterThanOrEqual(ROUNDS / 3);
    // Whenever it found our lock held, the owner record it saw was valid.
    expect(summary.ownerRecordsSeen).toBeGreaterThan(0);
    expect(owners.filter((o) => o !== 'valid' && o !== 'absent')).toEqual([]);
  }, 240_000);
});
