/**
 * (e) Eight agent processes share one store file, each running a real `createAuthRecovery`
 * against one loopback fake Anthropic (real clock, real sockets, real cross-process lock).
 * Fifty forced rotations: each round the parent revokes the current access token on the fake,
 * then every agent makes one `withAuth` call, is refused (401) and recovers. Exactly one agent
 * per round may spend the refresh token; the seven others must adopt its token from the store
 * under the lock. So: exactly 50 token requests in total, and no caller ever sees an error.
 *
 * Rounds are coordinated over IPC (the parent waits for all eight answers), never by sleeping.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from '../support/bundle-worker.js';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.js';
import { PROFILE_ID } from '../support/runtime-fixture.js';
import { type Agent, startAgent } from '../support/runtime-workers/agent-process.js';

const AGENTS = 8;
const ROUNDS = 50;

let bundle: Awaited<ReturnType<typeof bundleWorker>>;
let fake: FakeAnthropic;
let dir: string;

beforeAll(async () => {
  bundle = await bundleWorker(path.join(import.meta.dirname, '../support/runtime-workers/rotation-agent.ts'));
  fake = await startFakeAnthropic();
  dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-agents-'));
});

afterAll(async () => {
  await fake?.close();
  await bundle?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function startFileAgent(storePath: string, id: string): Agent {
  return startAgent(bundle.file, [storePath, fake.tokenUrl, fake.apiUrl, id], id);
}

async function storedAccessToken(storePath: string): Promise<string> {
  return JSON.parse(await readFile(storePath, 'utf8')).profiles[PROFILE_ID].access;
}

describe('(e) eight processes, one store, fifty forced rotations', () => {
  it('makes exactly one token request per rotation and no caller sees an error', async () => {
    const started = performance.now();
    const storePath = path.join(dir, 'openclaw', 'auth-profiles.json');
    await mkdir(path.dirname(storePath), { recursive: true, mode: 0o700 });
    const login = fake.issueLogin();
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

    const agents = Array.from({ length: AGENTS }, (_, index) => startFileAgent(storePath, `agent-${index}`));
    await Promise.all(agents.map((agent) => agent.next('ready')));
    const readyAt = performance.now();
    fake.resetCounters();

    const failures: string[] = [];
    const retryTokensPerRound: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      // Force a rotation: the token all eight hold is revoked at the API (its refresh token lives).
      fake.revoke(await storedAccessToken(storePath));
      const answers = agents.map((agent) => agent.next('done'));
      for (const agent of agents) agent.send({ type: 'call', round });
      const done = await Promise.all(answers);
      for (const answer of done) {
        expect(answer.round).toBe(round);
        if (!answer.ok) failures.push(`round ${round} ${answer.agent}: ${answer.error}`);
      }
      // Every agent tried the revoked token once, then retried with the one new token of this round.
      expect(done.every((answer) => answer.tokens.length === 2)).toBe(true);
      retryTokensPerRound.push(new Set(done.map((answer) => answer.tokens[1])).size);
    }
    const roundsAt = performance.now();

    const stats = agents.map((agent) => agent.next('stats'));
    for (const agent of agents) agent.send({ type: 'stop' });
    const finalStats = await Promise.all(stats);
    const codes = await Promise.all(agents.map((agent) => agent.exited));

    const perAgent = finalStats.map((stat) => stat.tokenRequests);
    const summary = {
      tokenRequests: fake.tokenRequests,
      apiRequests: fake.apiRequests,
      perAgentTokenRequests: perAgent,
      startupMs: Math.round(readyAt - started),
      roundsMs: Math.round(roundsAt - readyAt),
      totalMs: Math.round(performance.now() - started),
    };
    console.log(`(e) ${AGENTS} processes × ${ROUNDS} rotations: ${JSON.stringify(summary)}`);

    expect(failures).toEqual([]);
    expect(fake.tokenRequests).toBe(ROUNDS);
    expect(perAgent.reduce((sum, count) => sum + count, 0)).toBe(ROUNDS);
    expect(fake.apiRequests).toBe(AGENTS * ROUNDS * 2);
    expect(retryTokensPerRound).toEqual(Array(ROUNDS).fill(1));
    expect(finalStats.every((stat) => stat.state === 'valid')).toBe(true);
    expect(codes).toEqual(Array(AGENTS).fill(0));
    // The store ends on a live token that no process has spent yet.
    expect(fake.tokenState(await storedAccessToken(storePath))).toBe('valid');
    // ~26 s on an idle 2-core runner; the margin is for a loaded one (each round is 16 locked, fsynced store updates).
  }, 180_000);
});
