/**
 * The system under test for the model-based suite: the real recovery machine in a real
 * actor, on a manual clock, with its three invoked actors replaced by deferreds that the
 * path's steps resolve or reject. Every microstep's transitions are recorded for coverage.
 */
import { type Actor, createActor } from 'xstate';
import { createRecoveryMachine, type RecoveryInput } from '../../machines/index.js';
import { ManualClock } from '../../src/cli/demo/manual-clock.js';
import { createDeferredActors, settle } from '../support/deferred-actors.js';
import { fixtureByName, T0 } from './recovery-fixtures.js';
import { edgeKey } from './transition-coverage.js';

export interface RecoveryHarness {
  actor: Actor<ReturnType<typeof createRecoveryMachine>>;
  clock: ManualClock;
  emitted: unknown[];
  /** Executes one model step's event on the real actor and lets it settle. */
  perform(event: { type: string; fixture?: unknown }): Promise<void>;
  stop(): void;
}

export { settle };

export function startHarness(input: RecoveryInput, visitedEdges: Set<string>): RecoveryHarness {
  const clock = new ManualClock(T0);
  const deferred = createDeferredActors();
  const machine = createRecoveryMachine({ now: clock.now, random: () => 0.5 }).provide({
    actors: deferred.actors,
  });
  const emitted: unknown[] = [];
  const actor = createActor(machine, {
    input,
    clock: clock.timers,
    inspect: (inspection) => {
      if (inspection.type === '@xstate.microstep') {
        for (const transition of inspection._transitions) visitedEdges.add(edgeKey(transition));
      }
    },
  });
  actor.on('*', (event) => emitted.push(event));
  actor.start();

  return {
    actor,
    clock,
    emitted,
    async perform(event) {
      const name = typeof event.fixture === 'string' ? event.fixture : '';
      const fixture = fixtureByName(event.type, name);
      switch (fixture.kind) {
        case 'send': {
          actor.send(fixture.event(clock.now()) as never);
          break;
        }
        case 'timer': {
          clock.fireNextTimer();
          break;
        }
        case 'resolve':
        case 'reject': {
          const running = deferred.take(fixture.actorId, `so "${event.type}" cannot happen`);
          if (fixture.kind === 'resolve') running.resolve(fixture.output(clock.now()));
          else running.reject(Object.assign(new Error(String(fixture.error().message)), fixture.error()));
          break;
        }
      }
      await settle();
    },
    stop() {
      actor.stop();
    },
  };
}
