/**
 * The system under test for the model-based suite: the real recovery machine in a real
 * actor, on a TrackingClock, with its three invoked actors replaced by deferreds that the
 * path's steps resolve or reject. Every microstep's transitions are recorded for coverage.
 */
import { type Actor, createActor, fromPromise } from 'xstate';
import {
  type CredentialActorInput,
  createRecoveryMachine,
  type RecoveryInput,
  type RefreshOutput,
  type RetryInput,
  type RetryOutput,
  type SyncOutput,
} from '../../machines/index.js';
import { fixtureByName, RAW_TOKENS, T0 } from './recovery-fixtures.js';
import { TrackingClock } from './tracking-clock.js';
import { edgeKey } from './transition-coverage.js';

interface Deferred {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface RecoveryHarness {
  actor: Actor<ReturnType<typeof createRecoveryMachine>>;
  clock: TrackingClock;
  emitted: unknown[];
  /** Executes one model step's event on the real actor and lets it settle. */
  perform(event: { type: string; fixture?: unknown }): Promise<void>;
  stop(): void;
}

/** Lets promise continuations and the actor's mailbox run; not a wait for time. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function startHarness(input: RecoveryInput, visitedEdges: Set<string>): RecoveryHarness {
  const clock = new TrackingClock();
  clock.set(T0);
  const pending = new Map<string, Deferred>();
  const deferredActor = <TOutput, TInput>(id: string) =>
    fromPromise<TOutput, TInput>(() => {
      // The fake holds raw tokens as a real actor would; it must hand back metadata only.
      void RAW_TOKENS;
      return new Promise<TOutput>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      });
    });

  const machine = createRecoveryMachine({ now: () => clock.now(), random: () => 0.5 }).provide({
    actors: {
      refreshToken: deferredActor<RefreshOutput, CredentialActorInput>('refreshToken'),
      syncFromCli: deferredActor<SyncOutput, CredentialActorInput>('syncFromCli'),
      retryPendingCalls: deferredActor<RetryOutput, RetryInput>('retryPendingCalls'),
    },
  });
  const emitted: unknown[] = [];
  const actor = createActor(machine, {
    input,
    clock,
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
          const deferred = pending.get(fixture.actorId);
          if (!deferred)
            throw new Error(`actor "${fixture.actorId}" is not running, so "${event.type}" cannot happen`);
          pending.delete(fixture.actorId);
          if (fixture.kind === 'resolve') deferred.resolve(fixture.output(clock.now()));
          else deferred.reject(Object.assign(new Error(String(fixture.error().message)), fixture.error()));
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
