/**
 * The recovery machine as a test model: the three starting points, the control state that
 * guards read, the fixture alphabet, and the two serializations (fine: every edge into every
 * control state; episode: one recovery). Shared by the model-based suite over the pure machine
 * and by the replay of its paths on the real runtime (test/runtime/model-on-runtime.test.ts).
 */
import type { ActorLogic, AnyEventObject, SnapshotFrom } from 'xstate';
import { TestModel } from 'xstate/graph';
import { createRecoveryMachine, type RecoveryContext, type RecoveryInput } from '../../machines/index.js';
import { fixturesFor, HOUR, MODEL_POLICY, modelEvent, T0 } from './recovery-fixtures.js';

export const modelMachine = createRecoveryMachine({ now: () => T0, random: () => 0.5 });
export type RecoverySnapshot = SnapshotFrom<typeof modelMachine>;
// The model is fed fixture events (with a `fixture` tag), so it sees the machine as generic logic.
export const modelLogic = modelMachine as unknown as ActorLogic<
  RecoverySnapshot,
  AnyEventObject,
  RecoveryInput
>;

export const STARTS: Array<{ name: string; input: RecoveryInput }> = [
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

/**
 * Starts walked by the pure model's shortest paths only (their episodes repeat the ones above):
 * a working token under a cooldown another tool persisted far beyond the policy (issue 9 input 5)
 * is served, with its refresh deferred to the clamped deadline.
 */
export const EXTRA_STARTS: Array<{ name: string; input: RecoveryInput }> = [
  {
    name: 'a working login under a cooldown another tool persisted',
    input: {
      profileId: 'anthropic:claude-cli',
      credential: { fingerprint: 'fp-initial', expiresAt: T0 + 8 * HOUR, source: 'store' },
      cooldownUntil: T0 + 6 * HOUR,
      consecutiveCooldowns: 7,
      policy: MODEL_POLICY,
    },
  },
];

/** Only what guards and branching actions read; data like exact deadlines stays out. */
export function controlState(context: RecoveryContext) {
  return {
    attempts: context.attempts,
    pending: context.pendingCalls > 0,
    lastError: context.lastError,
    credential: context.credential
      ? `${context.credential.fingerprint}${context.credential.rejected ? '!' : ''}`
      : null,
    cooling: context.cooldownUntil !== null,
    throttle: context.lastRefreshAt !== null,
    proven: context.tokenProven,
    // The guard only asks whether one more rejection reaches maxRetries: cap the count there.
    unproven: Math.min(context.unprovenRejections, context.policy.maxRetries),
  };
}

/** The events a runtime never sends on its own: an operator's sync or a human's `claude` login. */
export const HUMAN_EVENTS = new Set(['SYNC_REQUESTED', 'CREDENTIALS_CHANGED']);

export const modelEvents = (snapshot: RecoverySnapshot): AnyEventObject[] => {
  const types = [...new Set(snapshot._nodes.flatMap((node) => node.ownEvents))];
  return types.flatMap((type) =>
    fixturesFor(type).map(([name, fixture]) => modelEvent(type, name, fixture, T0) as AnyEventObject),
  );
};
export const eventKey = (event: AnyEventObject | undefined): string | null =>
  event ? `${event.type}:${String((event as { fixture?: string }).fixture)}` : null;

/**
 * Fine model: every control-relevant context field plus the incoming edge, so shortest paths
 * reach every (state, context) pair by every edge.
 */
export const fineKey = (snapshot: RecoverySnapshot, event?: AnyEventObject): string =>
  JSON.stringify({ value: snapshot.value, control: controlState(snapshot.context), via: eventKey(event) });

/**
 * Simple-path model: the same control state without the incoming edge. Simple paths of the
 * full alphabet grow past hundreds of thousands, so this walk follows one recovery episode:
 * it stops once the machine is back in `valid` with a new token, and takes the runtime's
 * AUTH_REJECTED only in `valid` and the human events only in `cooldown`. The shortest-path
 * walk above covers the rest of the alphabet.
 */
export const episodeKey = (snapshot: RecoverySnapshot): string =>
  JSON.stringify({ value: snapshot.value, control: controlState(snapshot.context) });
export const EPISODE_OPTIONS = {
  filterEvents: (snapshot: RecoverySnapshot, event: AnyEventObject) => {
    if (event.type === 'AUTH_REJECTED') return snapshot.value === 'valid';
    if (HUMAN_EVENTS.has(event.type)) return snapshot.value === 'cooldown';
    return true;
  },
  // One episode ends back in `valid`: with a new token, or with the old one still working after a failure.
  stopWhen: (snapshot: RecoverySnapshot) =>
    snapshot.value === 'valid' &&
    (snapshot.context.credential?.fingerprint !== 'fp-initial' || snapshot.context.lastError !== null),
};

export function buildModel(
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
export function describePath(events: AnyEventObject[]): string {
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
