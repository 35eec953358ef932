/**
 * One machine definition per clock, shared by every runtime instance in the process. A machine
 * definition is large (about 38 KB), and `machine.provide()` per instance would build one each;
 * instead the invoked actors are provided once and find their instance's side effects through
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
import type { RecoveryEffects } from './recovery-actors.js';

const effectsBySystem = new WeakMap<AnyActorSystem, RecoveryEffects>();

function effectsOf(system: AnyActorSystem): RecoveryEffects {
  const effects = effectsBySystem.get(system);
  if (!effects) throw new Error('recovery actor started outside a runtime: bindEffects() was not called');
  return effects;
}

function buildMachine(now: () => number, random: () => number) {
  return createRecoveryMachine({ now, random }).provide({
    actors: {
      refreshToken: fromPromise<RefreshOutput, CredentialActorInput>(({ input, system }) =>
        effectsOf(system).refreshToken(input),
      ),
      syncFromCli: fromPromise<SyncOutput, CredentialActorInput>(({ input, system }) =>
        effectsOf(system).syncFromCli(input),
      ),
      retryPendingCalls: fromPromise<RetryOutput, RetryInput>(({ input, system }) =>
        effectsOf(system).retryPendingCalls(input),
      ),
    },
  });
}

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

/** Ties an actor system (one runtime instance) to its side effects; call before `actor.start()`. */
export function bindEffects(system: AnyActorSystem, effects: RecoveryEffects): void {
  effectsBySystem.set(system, effects);
}
