/**
 * Several agent processes sharing one login: 8 processes on one store and one CLI dir,
 * 50 rotations. Each round the parent moves every process's clock (and the fake's) past the
 * token's expiry and all 8 call the API at once; the cross-process lock plus "re-read under
 * the lock and adopt the winner's token" must turn 8 refresh attempts into 1 token request.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startFakeAnthropic } from '../test/support/fake-anthropic.js';
import { type BenchSection, formatNumber, percentile, sortedCopy } from './support/report.js';

const PROCESSES = 8;
const ROTATIONS = 50;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const WORKER = path.join(import.meta.dirname, 'workers', 'rotation-worker.ts');

interface Done {
  type: 'done';
  round: number;
  error: string | null;
}

export async function benchMultiProcess(): Promise<BenchSection> {
  const started = performance.now();
  let now = T0;
  const fake = await startFakeAnthropic({ now: () => now });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-mp-'));
  const storePath = path.join(dir, 'openclaw', 'auth-profiles.json');
  const claudeDir = path.join(dir, 'claude');
  const children: ChildProcess[] = [];
  try {
    await mkdir(path.dirname(storePath), { recursive: true, mode: 0o700 });
    await mkdir(claudeDir, { recursive: true, mode: 0o700 });
    const login = fake.issueLogin();
    const profile = {
      type: 'oauth',
      provider: 'anthropic',
      access: login.accessToken,
      refresh: login.refreshToken,
      expires: login.expiresAt,
    };
    await writeFile(
      storePath,
      JSON.stringify({ version: 1, profiles: { 'anthropic:claude-cli': profile } }),
      { mode: 0o600 },
    );
    const cliTemp = path.join(claudeDir, '.credentials.json.tmp');
    await writeFile(
      cliTemp,
      JSON.stringify({
        claudeAiOauth: {
          accessToken: login.accessToken,
          refreshToken: login.refreshToken,
          expiresAt: login.expiresAt,
          scopes: ['user:inference'],
        },
      }),
      { mode: 0o600 },
    );
    await rename(cliTemp, path.join(claudeDir, '.credentials.json'));

    const inbox: Done[] = [];
    let wake: (() => void) | undefined;
    const ready: Promise<void>[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      const child = fork(WORKER, [storePath, claudeDir, fake.tokenUrl, fake.apiUrl, String(now)], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      ready.push(
        new Promise((resolve, reject) => {
          child.once('error', reject);
          child.on('message', (message: { type: string }) => {
            if (message.type === 'ready') resolve();
            if (message.type === 'done') {
              inbox.push(message as unknown as Done);
              wake?.();
            }
          });
        }),
      );
    }
    await Promise.all(ready);
    fake.resetCounters();

    const roundMs: number[] = [];
    const errors: string[] = [];
    const requestsPerRound: number[] = [];
    for (let round = 0; round < ROTATIONS; round++) {
      now += 8 * HOUR + 60_000; // every process's token is now expired
      const before = fake.tokenRequests;
      const t0 = performance.now();
      inbox.length = 0;
      for (const child of children) child.send({ type: 'round', round, now });
      while (inbox.length < PROCESSES) await new Promise<void>((resolve) => (wake = resolve));
      roundMs.push(performance.now() - t0);
      requestsPerRound.push(fake.tokenRequests - before);
      for (const done of inbox) if (done.error) errors.push(`round ${round}: ${done.error}`);
    }
    const tokenRequests = fake.tokenRequests;
    const sortedRounds = sortedCopy(roundMs);
    const maxPerRound = Math.max(...requestsPerRound);
    return {
      title: `${PROCESSES} processes × ${ROTATIONS} rotations`,
      method: `${PROCESSES} child processes (node --import tsx bench/workers/rotation-worker.ts), each a runtime on one shared file store and one shared Claude CLI dir (write-back mode), against the loopback fake with single-use rotating refresh tokens. Each round the parent moves every clock 8 h 1 min ahead and all ${PROCESSES} processes make one withAuth() API call at once.`,
      table: [
        [
          'processes',
          'rotations',
          'token requests',
          'max requests in one round',
          'errors seen by callers',
          'round p50 (ms)',
          'round p99 (ms)',
        ],
        [
          String(PROCESSES),
          String(ROTATIONS),
          String(tokenRequests),
          String(maxPerRound),
          String(errors.length),
          formatNumber(percentile(sortedRounds, 50), 1),
          formatNumber(percentile(sortedRounds, 99), 1),
        ],
      ],
      targets: [
        {
          metric: `token requests, ${PROCESSES} processes × ${ROTATIONS} rotations`,
          target: String(ROTATIONS),
          measured: String(tokenRequests),
          met: tokenRequests === ROTATIONS,
        },
        {
          metric: 'errors seen by callers',
          target: '0',
          measured: String(errors.length),
          met: errors.length === 0,
        },
      ],
      ...(errors.length > 0 ? { notes: errors.slice(0, 5) } : {}),
      durationMs: performance.now() - started,
    };
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || !child.connected) return resolve();
            child.once('exit', () => resolve());
            child.send({ type: 'stop' });
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
}
