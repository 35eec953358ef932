/**
 * A fleet of rotation-agent processes on one Redis store, for the fleet and fault tests: each
 * agent is a separate node process with its own local mirror file; the parent seeds a login,
 * forces rotations (revokes the current access token at the fake API, then every agent makes
 * one `withAuth` call), and collects per-round results over IPC. No sleeping: rounds wait on
 * the agents' answers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { createRedisProfileStore, type RedisProfileStore } from '../../src/store/redis/index.js';
import { bundleWorker } from './bundle-worker.js';
import type { FakeAnthropic } from './fake-anthropic.js';
import { PROFILE_ID } from './runtime-fixture.js';
import { type Agent, startAgent } from './runtime-workers/agent-process.js';
import type { AgentMessage } from './runtime-workers/rotation-agent.js';

type Done = Extract<AgentMessage, { type: 'done' }>;

/** What each caller of a round saw: `ok`, or its typed error line. */
export const outcomes = (answers: Done[]) => answers.map((answer) => (answer.ok ? 'ok' : answer.error));

/** The refresh token a logged token request carried. */
export const refreshTokenOf = (request: { body: unknown }): string | undefined =>
  (request.body as { refresh_token?: string } | undefined)?.refresh_token;

export interface Fleet {
  agents: Agent[];
  /** A store of the parent's own (no mirror), for seeding and looking. */
  store: RedisProfileStore;
  /** Seeds a fresh login from the fake. */
  seed(): Promise<void>;
  /** One forced rotation: revoke the stored access token, every listed agent calls once. */
  round(round: number, only?: Agent[]): Promise<Done[]>;
  startAgent(id: string, env?: NodeJS.ProcessEnv, url?: string): Agent;
  /** Resolves once every listed agent is `valid` (e.g. its cooldown ended and it adopted). */
  awaitValid(only: Agent[]): Promise<void>;
  /** The fake's verdict on the access token the store holds now (`valid` when the login survived). */
  storedTokenState(): Promise<ReturnType<FakeAnthropic['tokenState']>>;
  stopAll(): Promise<Array<Extract<AgentMessage, { type: 'stats' }>>>;
  dispose(): Promise<void>;
}

let bundle: Promise<Awaited<ReturnType<typeof bundleWorker>>> | undefined;

export async function startFleet(options: {
  url: string;
  fake: FakeAnthropic;
  hosts: number;
  leaseTtlMs?: number;
  env?: NodeJS.ProcessEnv;
}): Promise<Fleet> {
  bundle ??= bundleWorker(path.join(import.meta.dirname, 'runtime-workers/rotation-agent.ts'));
  const { file } = await bundle;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oauth-recovery-fleet-'));
  const key = randomBytes(32).toString('hex');
  const env = {
    ...process.env,
    OAUTH_RECOVERY_REDIS_KEY: key,
    AGENT_LEASE_TTL_MS: String(options.leaseTtlMs ?? 10_000),
    ...options.env,
  };
  const store = createRedisProfileStore({ url: options.url, encryptionKey: key, mirrorPath: false });
  const agents: Agent[] = [];
  const fleet: Fleet = {
    agents,
    store,
    async seed() {
      const login = options.fake.issueLogin();
      await store.updateCredential(PROFILE_ID, () => ({ write: login, result: null }));
    },
    startAgent(id, extraEnv = {}, url = options.url) {
      const mirror = path.join(dir, `${id}-mirror.json`);
      const agent = startAgent(file, [url, options.fake.tokenUrl, options.fake.apiUrl, id, mirror], id, {
        ...env,
        ...extraEnv,
      });
      agents.push(agent);
      return agent;
    },
    async awaitValid(only) {
      const answers = only.map((agent) => agent.next('valid'));
      for (const agent of only) agent.send({ type: 'await-valid' });
      await Promise.all(answers);
    },
    async storedTokenState() {
      const stored = await store.readCredential(PROFILE_ID);
      return options.fake.tokenState(stored?.accessToken ?? '');
    },
    async round(round, only = agents) {
      const stored = await store.readCredential(PROFILE_ID);
      if (stored) options.fake.revoke(stored.accessToken);
      const answers = only.map((agent) => agent.next('done'));
      for (const agent of only) agent.send({ type: 'call', round });
      return Promise.all(answers);
    },
    async stopAll() {
      const live = agents.filter((agent) => agent.child.exitCode === null && agent.child.signalCode === null);
      const stats = live.map((agent) => agent.next('stats'));
      for (const agent of live) agent.send({ type: 'stop' });
      const result = await Promise.all(stats);
      await Promise.all(live.map((agent) => agent.exited));
      return result;
    },
    async dispose() {
      for (const agent of agents) if (agent.child.exitCode === null) agent.child.kill('SIGKILL');
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await fleet.seed();
  for (let index = 0; index < options.hosts; index += 1) fleet.startAgent(`host-${index}`);
  await Promise.all(agents.map((agent) => agent.next('ready')));
  return fleet;
}

/** What a rotation looked like when its lease holder lost the lease mid-spend (stalled or cut off). */
export interface TakeoverRotation {
  holderAnswer: Done | undefined;
  othersRound: Done[];
  /** Token requests and invalid_grant answers before the holder was back. */
  requestsDuring: number;
  invalidDuring: number;
  /** The first two requests both carried the refresh token the fleet was seeded with. */
  takeoverSentTheSpentToken: boolean;
  /** Token requests once every host was valid again. */
  requestsAfter: number;
  after: Done[];
  stats: Array<Extract<AgentMessage, { type: 'stats' }>>;
}

/**
 * The one case where a rotation costs two requests: the holder is served from memory; the
 * others cool down after one takeover request carrying the spent token (refused, the only
 * one); once the holder is back its pair lands (it replaces the spent token), every host adopts
 * it with no request, and the next rotation costs one request.
 */
export function expectOneRefusedTakeover(fake: FakeAnthropic, rotation: TakeoverRotation): void {
  expect(rotation.holderAnswer?.ok).toBe(true);
  for (const answer of rotation.othersRound) expect(answer.error).toMatch(/^CooldownError: /);
  expect(rotation.requestsDuring).toBe(2);
  expect(rotation.invalidDuring).toBe(1);
  expect(rotation.takeoverSentTheSpentToken).toBe(true);
  expect(rotation.requestsAfter).toBe(2);
  expect(rotation.after.every((answer) => answer.ok)).toBe(true);
  expect(fake.tokenRequests).toBe(3);
  expect(fake.invalidGrants).toBe(1);
  expect(rotation.stats.every((stat) => stat.state === 'valid')).toBe(true);
}
