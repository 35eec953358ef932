/**
 * Crash consistency under SIGKILL, on both files the runtime writes: a child cycles through a
 * locked credential update of the profile store, a usage-stats update of the store and a
 * write-back to the Claude CLI file, acknowledging each completed write to the parent, and is
 * SIGKILLed at a seeded-random moment. After every kill both files must parse (JSON and
 * schema) and hold the last acknowledged write of each kind or the one in flight: nothing
 * unparsable, no acknowledged write lost, no write from nowhere.
 *
 * A kill inside a locked section leaves that lock behind. The parent then ages the lock
 * directory (mtime one minute back) so the next writer takes it over through the stale-lock
 * path at once instead of waiting the 10 s stale time; stale takeover is therefore exercised
 * on most rounds too.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClaudeCliFileSource } from '../../src/credentials/claude-cli-file-source.js';
import { createFileProfileStore } from '../../src/store/file-profile-store.js';
import { bundleWorker } from '../support/bundle-worker.js';
import { seededRandom, useTempDirs } from '../support/store-workers/fixtures.js';
import { SEED, SIZES, TEST_TIMEOUT_MS } from './sizes.js';

const PROFILE = 'anthropic:claude-cli';
const LANES = 2;
const KILLS = SIZES.kills;
const tempDir = useTempDirs();
let worker: Awaited<ReturnType<typeof bundleWorker>>;

beforeAll(async () => {
  worker = await bundleWorker(path.join(import.meta.dirname, 'workers', 'crash-writer.ts'));
});
afterAll(async () => {
  await worker?.dispose();
});

type Acks = { c: number; u: number; w: number };

/** Starts the writer, kills it `delayMs` after its first acknowledgement, returns the acks. */
function killRound(args: string[], delayMs: number): Promise<Acks> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker.file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Acks = { c: 0, u: 0, w: 0 };
    let buffer = '';
    let stderr = '';
    let armed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, seq] = line.split(' ') as [keyof Acks, string];
        acks[kind] = Number(seq);
      }
      if (!armed) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs); // the injected fault
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own: ${stderr}`));
      else resolve(acks);
    });
  });
}

/** Makes a lock left by the killed writer look abandoned for a minute. */
async function ageLock(file: string): Promise<boolean> {
  const lock = `${file}.lock`;
  try {
    await stat(lock);
  } catch {
    return false;
  }
  const past = new Date(Date.now() - 60_000);
  await utimes(lock, past, past).catch(() => undefined);
  return true;
}

async function killLoop(dir: string, kills: number, random: () => number) {
  const storePath = path.join(dir, 'openclaw', 'auth-profiles.json');
  const cliPath = path.join(dir, 'claude', '.credentials.json');
  await mkdir(path.dirname(storePath), { recursive: true });
  await mkdir(path.dirname(cliPath), { recursive: true });
  const base = Date.now() + 8 * 3_600_000;
  const at = (seq: number) => base + seq * 1000;
  await writeFile(
    storePath,
    JSON.stringify({
      version: 1,
      profiles: {
        [PROFILE]: {
          type: 'oauth',
          provider: 'anthropic',
          access: 'sk-ant-oat01-crash-access-0',
          refresh: 'sk-ant-ort01-crash-refresh-0',
          expires: at(0),
        },
        'openai:default': { type: 'api_key', provider: 'openai', key: 'not-ours' },
      },
      usageStats: { [PROFILE]: { errorCount: 0 } },
    }),
    { mode: 0o600 },
  );
  await writeFile(
    cliPath,
    JSON.stringify({
      claudeAiOauth: {
        accessToken: 'sk-ant-oat01-crash-access-0',
        refreshToken: 'sk-ant-ort01-crash-refresh-0',
        expiresAt: at(0),
        scopes: ['user:inference'],
      },
      mcpOAuth: { keep: 'me' },
    }),
    { mode: 0o600 },
  );
  let acked: Acks = { c: 0, u: 0, w: 0 };
  const stats = {
    unparsable: 0,
    lost: 0,
    inFlightLanded: 0,
    locksTakenOver: 0,
    writes: 0,
    failures: [] as string[],
  };
  for (let round = 0; round < kills; round++) {
    const start = Math.max(acked.c, acked.u, acked.w);
    const acks = await killRound(
      [storePath, cliPath, String(base), String(start)],
      Math.floor(random() * 40),
    );
    acked = { c: Math.max(acked.c, acks.c), u: Math.max(acked.u, acks.u), w: Math.max(acked.w, acks.w) };

    // Both files parse: as JSON, and through the real readers (schema included).
    const seen: Acks = { c: -1, u: -1, w: -1 };
    try {
      JSON.parse(await readFile(storePath, 'utf8'));
      const store = createFileProfileStore({ path: storePath });
      const credential = await store.readCredential(PROFILE);
      seen.c = ((credential?.expiresAt ?? Number.NaN) - base) / 1000;
      seen.u = (await store.readUsage(PROFILE)).errorCount ?? Number.NaN;
      JSON.parse(await readFile(cliPath, 'utf8'));
      const cli = await createClaudeCliFileSource({ path: cliPath, now: () => base - 8 * 3_600_000 }).read();
      seen.w = cli.status === 'ok' ? (cli.credential.expiresAt - base) / 1000 : Number.NaN;
    } catch (error) {
      stats.unparsable++;
      stats.failures.push(`round ${round}: ${String(error)}`);
      continue;
    }
    // The writer was at most one write past its last acknowledgement when it died.
    const newest = Math.max(start, acks.c, acks.u, acks.w) + 1;
    for (const kind of ['c', 'u', 'w'] as const) {
      // Each file holds the last acknowledged write of each kind, or a newer one that landed
      // before the kill cut its acknowledgement; never an older one, never one not yet begun.
      if (!(seen[kind] >= acked[kind] && seen[kind] <= newest)) {
        stats.lost++;
        stats.failures.push(
          `round ${round}: ${kind} holds ${seen[kind]}, acked ${acked[kind]}, newest ${newest}`,
        );
      }
      if (seen[kind] > acked[kind]) stats.inFlightLanded++;
      acked[kind] = Math.max(acked[kind], seen[kind]);
    }
    for (const file of [storePath, cliPath]) if (await ageLock(file)) stats.locksTakenOver++;
  }
  stats.writes = acked.c + acked.u + acked.w;
  const document = JSON.parse(await readFile(storePath, 'utf8'));
  expect(document.profiles['openai:default']).toEqual({
    type: 'api_key',
    provider: 'openai',
    key: 'not-ours',
  });
  expect(JSON.parse(await readFile(cliPath, 'utf8')).mcpOAuth).toEqual({ keep: 'me' });
  return stats;
}

describe('crash consistency under SIGKILL (profile store and Claude CLI file)', {
  timeout: TEST_TIMEOUT_MS,
}, () => {
  it(`${KILLS} kills at random points of write cycles: 0 unparsable files, 0 lost acknowledged writes (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const started = Date.now();
    const dirs = await Promise.all(Array.from({ length: LANES }, () => tempDir()));
    const lanes = await Promise.all(dirs.map((dir) => killLoop(dir, KILLS / LANES, random)));
    const total = lanes.reduce(
      (sum, lane) => ({
        unparsable: sum.unparsable + lane.unparsable,
        lost: sum.lost + lane.lost,
        inFlightLanded: sum.inFlightLanded + lane.inFlightLanded,
        locksTakenOver: sum.locksTakenOver + lane.locksTakenOver,
        writes: sum.writes + lane.writes,
      }),
      { unparsable: 0, lost: 0, inFlightLanded: 0, locksTakenOver: 0, writes: 0 },
    );
    console.info(
      `[reliability] crash: ${KILLS} kills in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `${total.writes} acknowledged writes; unparsable ${total.unparsable}; lost ${total.lost}; ` +
        `${total.inFlightLanded} in-flight writes landed; ${total.locksTakenOver} abandoned locks taken over`,
    );
    expect(lanes.flatMap((lane) => lane.failures)).toEqual([]);
    expect(total.unparsable).toBe(0);
    expect(total.lost).toBe(0);
    expect(total.writes).toBeGreaterThan(KILLS);
  });
});
