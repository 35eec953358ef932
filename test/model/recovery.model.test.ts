/**
 * Model-based tests: XState's graph utilities walk the recovery machine (shortest paths and
 * simple paths from three starting points), and every path is replayed on the real machine
 * in a real actor with a simulated clock. After all paths, coverage of states and edges
 * (including `always` transitions) must be 100%, and every reachable state must be able to
 * get back to `valid` without a human.
 */

import { afterAll, describe, expect, it } from 'vitest';
import type { ActorLogic, AnyEventObject, SnapshotFrom } from 'xstate';
import { TestModel } from 'xstate/graph';
import { createRecoveryMachine, type RecoveryContext, type RecoveryInput } from '../../machines/index.js';
import { fixturesFor, HOUR, MODEL_POLICY, modelEvent, RAW_TOKENS, T0 } from './recovery-fixtures.js';
import { type RecoveryHarness, startHarness } from './recovery-harness.js';
import { allStateIds, expectedEdges } from './transition-coverage.js';

const modelMachine = createRecoveryMachine({ now: () => T0, random: () => 0.5 });
type RecoverySnapshot = SnapshotFrom<typeof modelMachine>;
// The model is fed fixture events (with a `fixture` tag), so it sees the machine as generic logic.
const modelLogic = modelMachine as unknown as ActorLogic<RecoverySnapshot, AnyEventObject, RecoveryInput>;

const STARTS: Array<{ name: string; input: RecoveryInput }> = [
  {
    name: 'a fresh login',
    input: {
      profileId: 'anthropic:claude-cli',
      credential: { fingerprint: 'fp-initial', expiresAt: T0 + 8 * HOUR, source: 'store' },
      policy: MODEL_POLICY,
    },
  },
  {
    name: 'an expired login',
    input: {
      profileId: 'anthropic:claude-cli',
      credential: { fingerprint: 'fp-initial', expiresAt: T0 - 1_000, source: 'store' },
      policy: MODEL_POLICY,
    },
  },
  {
    name: 'a cooldown restored after a restart',
    input: {
      profileId: 'anthropic:claude-cli',
      credential: { fingerprint: 'fp-initial', expiresAt: T0 - 1_000, source: 'store' },
      cooldownUntil: T0 + 2_500,
      consecutiveCooldowns: 2,
      policy: MODEL_POLICY,
    },
  },
];

/** Only what guards and branching actions read; data like exact deadlines stays out. */
function controlState(context: RecoveryContext) {
  return {
    attempts: context.attempts,
    pending: context.pendingCalls > 0,
    lastError: context.lastError,
    credential: context.credential
      ? `${context.credential.fingerprint}${context.credential.rejected ? '!' : ''}`
      : null,
    cooling: context.cooldownUntil !== null,
  };
}

/** The events a runtime never sends on its own: an operator's sync or a human's `claude` login. */
const HUMAN_EVENTS = new Set(['SYNC_REQUESTED', 'CREDENTIALS_CHANGED']);

const modelEvents = (snapshot: RecoverySnapshot): AnyEventObject[] => {
  const types = [...new Set(snapshot._nodes.flatMap((node) => node.ownEvents))];
  return types.flatMap((type) =>
    fixturesFor(type).map(([name, fixture]) => modelEvent(type, name, fixture, T0) as AnyEventObject),
  );
};
const eventKey = (event: AnyEventObject | undefined): string | null =>
  event ? `${event.type}:${String((event as { fixture?: string }).fixture)}` : null;

/**
 * Fine model: every control-relevant context field plus the incoming edge, so shortest paths
 * reach every (state, context) pair by every edge.
 */
const fineKey = (snapshot: RecoverySnapshot, event?: AnyEventObject): string =>
  JSON.stringify({ value: snapshot.value, control: controlState(snapshot.context), via: eventKey(event) });

/**
 * Simple-path model: the same control state without the incoming edge. Simple paths of the
 * full alphabet grow past hundreds of thousands, so this walk follows one recovery episode:
 * it stops once the machine is back in `valid` with a new token, and takes the runtime's
 * AUTH_REJECTED only in `valid` and the human events only in `cooldown`. The shortest-path
 * walk above covers the rest of the alphabet.
 */
const episodeKey = (snapshot: RecoverySnapshot): string =>
  JSON.stringify({ value: snapshot.value, control: controlState(snapshot.context) });
const EPISODE_OPTIONS = {
  filterEvents: (snapshot: RecoverySnapshot, event: AnyEventObject) => {
    if (event.type === 'AUTH_REJECTED') return snapshot.value === 'valid';
    if (HUMAN_EVENTS.has(event.type)) return snapshot.value === 'cooldown';
    return true;
  },
  stopWhen: (snapshot: RecoverySnapshot) =>
    snapshot.value === 'valid' && snapshot.context.credential?.fingerprint !== 'fp-initial',
};

function buildModel(
  input: RecoveryInput,
  serializeState: (s: RecoverySnapshot, e?: AnyEventObject) => string,
  extra: Partial<typeof EPISODE_OPTIONS> = {},
) {
  return new TestModel<RecoverySnapshot, AnyEventObject, RecoveryInput>(modelLogic, {
    ...extra,
    input,
    events: modelEvents,
    serializeState: (snapshot, event) => serializeState(snapshot, event as AnyEventObject | undefined),
    serializeEvent: (event) => String(eventKey(event)),
  });
}

/** A readable test name: the events of the path, with their fixture names. */
function describePath(events: AnyEventObject[]): string {
  return (
    events
      .filter((event) => event.type !== 'xstate.init')
      .map((event) => {
        const type = event.type
          .replace(/^xstate\.(done|error)\.actor\./, '$1:')
          .replace(/^xstate\.after\.(\w+)\..*/, 'after:$1');
        return `${type}(${String((event as { fixture?: string }).fixture)})`;
      })
      .join(' → ') || '(start)'
  );
}

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

for (const start of STARTS) {
  describe(`recovery machine from ${start.name}`, () => {
    const fineModel = buildModel(start.input, fineKey);
    const shortest = fineModel.getShortestPaths();
    const simple = buildModel(start.input, episodeKey, EPISODE_OPTIONS).getSimplePaths();

    it('has more than one path to walk', () => {
      expect(shortest.length).toBeGreaterThan(1);
      expect(simple.length).toBeGreaterThan(1);
    });

    for (const [kind, paths] of [
      ['shortest', shortest],
      ['simple', simple],
    ] as const) {
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
