/**
 * One machine definition per clock, shared by every runtime instance in the process. A machine
 * definition is large (about 38 KB), and `machine.provide()` per instance would build one each;
 * instead the invoked actors are provided once and find their instance's implementations through
 * the actor system they run in.
 */
import { type ActorSystem, fromPromise } from 'xstate';

// biome-ignore lint/suspicious/noExplicitAny: any actor system; only its identity is used.
type AnyActorSystem = ActorSystem<any>;

import {
  type CredentialActorInput,
  createRecoveryMachine,
  type RefreshOutput,
  type RetryInput,
  type RetryOutput,
  type SyncOutput,
} from '../../machines/index.js';
import type { RecoveryActors } from './recovery-actors.js';

const actorsBySystem = new WeakMap<AnyActorSystem, RecoveryActors>();

function actorsOf(system: AnyActorSystem): RecoveryActors {
  const actors = actorsBySystem.get(system);
  if (!actors)
    throw new Error('recovery actor started outside a runtime: bindRecoveryActors() was not called');
  return actors;
}

function buildMachine(now: () => number, random: () => number) {
  return createRecoveryMachine({ now, random }).provide({
    actors: {
      refreshToken: fromPromise<RefreshOutput, CredentialActorInput>(({ input, system }) =>
        actorsOf(system).refreshToken(input),
      ),
      syncFromCli: fromPromise<SyncOutput, CredentialActorInput>(({ input, system }) =>
        actorsOf(system).syncFromCli(input),
      ),
      retryPendingCalls: fromPromise<RetryOutput, RetryInput>(({ input, system }) =>
        actorsOf(system).retryPendingCalls(input),
      ),
    },
  });
}

/** The recovery machine with the runtime's actors provided. */
export type RuntimeMachine = ReturnType<typeof buildMachine>;

const machines = new WeakMap<() => number, WeakMap<() => number, RuntimeMachine>>();

/** The shared machine for this clock and random source (the defaults give one per process). */
export function sharedRecoveryMachine(now: () => number, random: () => number): RuntimeMachine {
  let byRandom = machines.get(now);
  if (!byRandom) {
    byRandom = new WeakMap();
    machines.set(now, byRandom);
  }
  let machine = byRandom.get(random);
  if (!machine) {
    machine = buildMachine(now, random);
    byRandom.set(random, machine);
  }
  return machine;
}

/** Ties an actor system (one runtime instance) to its actors' implementations; call before `actor.start()`. */
export function bindRecoveryActors(system: AnyActorSystem, actors: RecoveryActors): void {
  actorsBySystem.set(system, actors);
}
