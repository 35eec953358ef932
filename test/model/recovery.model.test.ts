/**
 * Model-based tests: XState's graph utilities walk the recovery machine (shortest paths and
 * simple paths from three starting points, shortest paths from one more), and every path is replayed on the real machine
 * in a real actor with a simulated clock. After all paths, coverage of states and edges
 * (including `always` transitions) must be 100%, and every reachable state must be able to
 * get back to `valid` without a human.
 */

import { afterAll, describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import { RAW_TOKENS } from './recovery-fixtures.js';
import { type RecoveryHarness, startHarness } from './recovery-harness.js';
import {
  buildModel,
  controlState,
  describePath,
  EPISODE_OPTIONS,
  EXTRA_STARTS,
  episodeKey,
  fineKey,
  HUMAN_EVENTS,
  modelMachine,
  type RecoverySnapshot,
  STARTS,
} from './recovery-model.js';
import { allStateIds, expectedEdges } from './transition-coverage.js';

const visitedEdges = new Set<string>();
const visitedStates = new Set<string>(['recovery.initializing']);
let pathsRun = 0;

function checkInvariants(sut: RecoveryHarness, expected: RecoverySnapshot): void {
  const snapshot = sut.actor.getSnapshot();
  expect(snapshot.status, 'the actor must never end in error (a missing input fails silently)').toBe(
    'active',
  );
  expect(snapshot.value).toEqual(expected.value);
  expect(controlState(snapshot.context)).toEqual(controlState(expected.context));
  const persisted = JSON.stringify(sut.actor.getPersistedSnapshot());
  const emitted = JSON.stringify(sut.emitted);
  for (const secret of [...RAW_TOKENS, 'sk-ant-']) {
    expect(persisted).not.toContain(secret);
    expect(emitted).not.toContain(secret);
  }
  expect(snapshot.context.attempts).toBeLessThanOrEqual(snapshot.context.policy.maxRetries);
  if (snapshot.value === 'cooldown') {
    expect(snapshot.context.cooldownUntil).not.toBeNull();
    expect(snapshot.context.cooldownUntil as number).toBeGreaterThan(sut.clock.now());
  }
}

for (const start of [...STARTS, ...EXTRA_STARTS]) {
  describe(`recovery machine from ${start.name}`, () => {
    const fineModel = buildModel(start.input, fineKey);
    const shortest = fineModel.getShortestPaths();
    // The extra starts' episodes repeat the main ones: their shortest paths are enough.
    const simple = STARTS.includes(start)
      ? buildModel(start.input, episodeKey, EPISODE_OPTIONS).getSimplePaths()
      : [];

    it('has more than one path to walk', () => {
      expect(shortest.length).toBeGreaterThan(1);
      if (STARTS.includes(start)) expect(simple.length).toBeGreaterThan(1);
    });

    for (const [kind, paths] of [
      ['shortest', shortest],
      ['simple', simple],
    ] as const) {
      if (paths.length === 0) continue;
      describe(`${kind} paths (${paths.length})`, () => {
        paths.forEach((path, index) => {
          it(`#${index} ${describePath(path.steps.map((step) => step.event))}`, async () => {
            const sut = startHarness(start.input, visitedEdges);
            try {
              await path.test({
                events: new Proxy(
                  {},
                  {
                    get: () => async (step: { event: AnyEventObject }) => {
                      if (step.event.type !== 'xstate.init') await sut.perform(step.event);
                    },
                  },
                ),
                states: { '*': (expected: RecoverySnapshot) => checkInvariants(sut, expected) },
              });
              expect(path.state.status).not.toBe('error');
              pathsRun += 1;
            } finally {
              sut.stop();
            }
          });
        });
      });
    }

    it('can get back to valid from every reachable state without a human (cooldown always ends)', () => {
      const adjacency = fineModel.getAdjacencyMap() as unknown as Record<
        string,
        { state: RecoverySnapshot; transitions: object }
      >;
      const successors = new Map<string, string[]>();
      for (const [key, node] of Object.entries(adjacency)) {
        successors.set(
          key,
          Object.values(
            node.transitions as Record<string, { event: AnyEventObject; state: RecoverySnapshot }>,
          )
            .filter(({ event }) => !HUMAN_EVENTS.has(event.type))
            .map(({ event, state }) => fineKey(state, event)),
        );
      }
      const live = new Set(Object.keys(adjacency).filter((key) => adjacency[key]?.state.value === 'valid'));
      for (let grew = true; grew; ) {
        grew = false;
        for (const [key, next] of successors) {
          if (!live.has(key) && next.some((target) => live.has(target))) {
            live.add(key);
            grew = true;
          }
        }
      }
      expect(Object.keys(adjacency).length).toBeGreaterThan(10);
      expect(Object.keys(adjacency).filter((key) => !live.has(key))).toEqual([]);
    });
  });
}

afterAll(() => {
  for (const edge of visitedEdges) {
    for (const id of edge.split(/ --.*--> /)) visitedStates.add(id);
  }
  const states = allStateIds(modelMachine);
  const edges = expectedEdges(modelMachine);
  const missingStates = states.filter((id) => !visitedStates.has(id));
  const missingEdges = edges.filter((key) => !visitedEdges.has(key));
  const extraEdges = [...visitedEdges].filter((key) => !edges.includes(key));
  console.log(
    `model coverage: ${pathsRun} paths run; states ${states.length - missingStates.length}/${states.length} ` +
      `(${(100 * (states.length - missingStates.length)) / states.length}%); edges ` +
      `${edges.length - missingEdges.length}/${edges.length} (${(100 * (edges.length - missingEdges.length)) / edges.length}%)`,
  );
  expect(missingStates, 'state nodes never visited').toEqual([]);
  expect(missingEdges, 'edges (incl. always transitions) never taken').toEqual([]);
  expect(extraEdges, 'edges taken that the graph does not know').toEqual([]);
});
