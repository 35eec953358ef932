/**
 * The recovery model's shortest paths replayed on the real runtime backed by the Redis store, on
 * a real redis-server (loopback port, files in a temp dir, stopped by pid): the same paths, the
 * same realization of every model event and the same checks as on the file store
 * (test/runtime/model-on-runtime.test.ts, model-replay.ts), only the store differs. The runtime
 * holds a `RedisProfileStore` with its own local mirror; the replay prepares the world through a
 * second store instance on the same keys (another host), and holds the profile's lease where the
 * file replay holds the file lock. Each path gets its own key prefix on the one server.
 *
 * Skips are the file replay's (`whyUnrealizable`, owned by the replay): a path that cannot happen
 * on the runtime cannot happen on it with Redis either. No path is skipped for a Redis reason.
 *
 * All 1158 realizable paths take 1–2 minutes idle and about 11 minutes on a loaded 2-core machine, so by default a
 * deterministic sample runs: in the model's path order, every path that takes a transition
 * (start, state, event with its fixture, next state) no earlier path took, which covers every
 * transition the realizable paths take. `MODEL_ON_REDIS=all` replays every path.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthCredential } from '../../../src/credentials/types.js';
import { createRedisProfileStore, type RedisProfileStoreOptions } from '../../../src/store/redis/index.js';
import { MODEL_POLICY } from '../../model/recovery-fixtures.js';
import { buildModel, describePath, fineKey, modelMachine, STARTS } from '../../model/recovery-model.js';
import { allStateIds } from '../../model/transition-coverage.js';
import {
  type ModelStep,
  type ReplayStore,
  replayOnRuntime,
  type StartName,
  toModelSteps,
  whyUnrealizable,
} from '../../runtime/model-replay.js';
import { type RedisServer, startRedisServer } from '../../support/redis-server.js';
import { PROFILE_ID, type RuntimeFixture } from '../../support/runtime-fixture.js';

const KEY = randomBytes(32).toString('hex');
const ALL = process.env.MODEL_ON_REDIS === 'all';
const visited = new Set<string>();
const summary = { run: 0, skipped: 0, sampledOut: 0, ms: 0, tokenRequests: 0, fileStoreWrites: 0 };
const transitionsTaken = new Set<string>();
const suiteStarted = performance.now();
let server: RedisServer;
let prefixes = 0;

/** The runtime's store and the replay's (another host) on the same keys, under a fresh prefix. */
function redisReplayStore(fx: RuntimeFixture): ReplayStore {
  prefixes += 1;
  const common: RedisProfileStoreOptions = {
    url: server.url,
    encryptionKey: KEY,
    keyPrefix: `model${prefixes}`,
    now: fx.clock.now,
    marginMs: MODEL_POLICY.freshnessMarginMs,
  };
  const runtime = createRedisProfileStore({
    ...common,
    holderId: 'runtime',
    mirrorPath: path.join(fx.dir, 'redis-mirror.json'),
  });
  const peer = createRedisProfileStore({ ...common, holderId: 'replay', mirrorPath: false });
  return {
    runtime,
    peer,
    async seed(login, usage) {
      // The starting login may be expired already: seed it as of a time when it was not.
      const seeder = createRedisProfileStore({
        ...common,
        holderId: 'seed',
        mirrorPath: false,
        now: () => login.expiresAt - 3_600_000,
      });
      try {
        await seeder.updateCredential(PROFILE_ID, () => ({ write: login as OAuthCredential, result: null }));
      } finally {
        await seeder.close();
      }
      if (usage) await peer.recordUsage(PROFILE_ID, usage);
    },
    holdLock: (fn) =>
      peer.updateCredential(PROFILE_ID, async () => {
        await fn();
        return { write: null, result: undefined };
      }),
    close: async () => {
      // The runtime used Redis only: the fixture's file store was never created.
      if (existsSync(fx.storePath)) summary.fileStoreWrites += 1;
      await Promise.all([runtime.close(), peer.close()]);
    },
  };
}

/** In the sample: the path takes a transition no earlier path took (or every path is wanted). */
function sampled(start: string, steps: readonly ModelStep[]): boolean {
  const transitions = steps.map(
    (step) => `${start}|${step.before?.value}|${step.type}:${step.fixture}|${step.after.value}`,
  );
  const fresh = transitions.some((transition) => !transitionsTaken.has(transition));
  for (const transition of transitions) transitionsTaken.add(transition);
  return ALL || fresh;
}

describe('model paths on the runtime with the Redis store', () => {
  beforeAll(async () => {
    server = await startRedisServer({ appendonly: false });
  });
  afterAll(async () => {
    await server?.stop();
    const all = allStateIds(modelMachine).map((id) => id.replace(/^recovery\./, ''));
    const reached = all.filter((state) => visited.has(state));
    console.log(
      `model on runtime with Redis: ${summary.run} paths replayed (${summary.sampledOut} sampled out, ` +
        `${transitionsTaken.size} transitions), ${summary.skipped} not realizable; ` +
        `states reached ${reached.length}/${all.length}: ${reached.join(', ')}; ` +
        `${summary.tokenRequests} token requests; mean ${Math.round(summary.ms / Math.max(1, summary.run))} ms a path; ` +
        `${Math.round(performance.now() - suiteStarted)} ms in all`,
    );
    expect([...visited].sort()).toEqual([...all].sort());
    expect(summary.fileStoreWrites).toBe(0);
  });

  for (const start of STARTS) {
    describe.concurrent(`from ${start.name}`, () => {
      const paths = buildModel(start.input, fineKey).getShortestPaths();
      paths.forEach((modelPath, index) => {
        const steps = toModelSteps(modelPath);
        const name = `#${index} ${describePath(modelPath.steps.map((step) => step.event))}`;
        const reason = whyUnrealizable(steps);
        if (reason) {
          summary.skipped += 1;
          it.skip(`${name} — not realizable: ${reason}`, () => undefined);
          return;
        }
        if (!sampled(start.name, steps)) {
          summary.sampledOut += 1;
          return;
        }
        it(name, async ({ expect }) => {
          const result = await replayOnRuntime(start.name as StartName, steps, redisReplayStore);
          for (const state of result.visited) visited.add(state);
          summary.run += 1;
          summary.ms += result.durationMs;
          summary.tokenRequests += result.tokenRequests;
          expect(result.tokenRequests).toBe(result.expectedTokenRequests);
        });
      });
    });
  }
});
