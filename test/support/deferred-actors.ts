/**
 * The recovery machine's three invoked actors as deferreds a test settles by hand: each start
 * records its input and waits until the test resolves or rejects it. The fakes hold raw tokens
 * as real actors would; the machine must only ever get metadata back.
 */
import { fromPromise } from 'xstate';
import type {
  CredentialActorInput,
  RefreshOutput,
  RetryInput,
  RetryOutput,
  SyncOutput,
} from '../../machines/index.js';

export type RecoveryActorId = 'refreshToken' | 'syncFromCli' | 'retryPendingCalls';
export interface RecoveryActorInputs {
  refreshToken: CredentialActorInput;
  syncFromCli: CredentialActorInput;
  retryPendingCalls: RetryInput;
}
export interface RecoveryActorOutputs {
  refreshToken: RefreshOutput;
  syncFromCli: SyncOutput;
  retryPendingCalls: RetryOutput;
}

/** A started actor waiting for the test's verdict. */
export interface PendingActor {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export function createDeferredActors() {
  const pending = new Map<RecoveryActorId, PendingActor>();
  const inputs: { [K in RecoveryActorId]: RecoveryActorInputs[K][] } = {
    refreshToken: [],
    syncFromCli: [],
    retryPendingCalls: [],
  };
  const deferred = <K extends RecoveryActorId>(id: K) =>
    fromPromise<RecoveryActorOutputs[K], RecoveryActorInputs[K]>(({ input }) => {
      inputs[id].push(input);
      return new Promise<RecoveryActorOutputs[K]>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      });
    });
  return {
    /** Pass to `machine.provide({ actors })`. */
    actors: {
      refreshToken: deferred('refreshToken'),
      syncFromCli: deferred('syncFromCli'),
      retryPendingCalls: deferred('retryPendingCalls'),
    },
    /** Every input each actor was started with, in order. */
    inputs,
    isRunning: (id: RecoveryActorId): boolean => pending.has(id),
    /**
     * The running actor `id`, removed from the pending set.
     * @throws Error naming `where` when it is not running.
     */
    take(id: RecoveryActorId, where: string): PendingActor {
      const call = pending.get(id);
      if (!call) throw new Error(`"${id}" is not running (${where})`);
      pending.delete(id);
      return call;
    },
  };
}

/** Lets promise continuations and the actor's mailbox run; not a wait for time. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
