/**
 * A real recovery actor on XState's SimulatedClock, with its three invoked actors replaced by
 * deferreds the test settles by hand. Time only moves when a test calls `advance`; `settle`
 * lets promise continuations run and is never a wait for time.
 */
import { type Actor, createActor, fromPromise, SimulatedClock } from 'xstate';
import {
  type CredentialActorInput,
  type CredentialView,
  createRecoveryMachine,
  type RecoveryEmitted,
  type RecoveryEvent,
  type RecoveryInput,
  type RecoveryPolicy,
  type RefreshOutput,
  type RetryInput,
  type RetryOutput,
  type SyncOutput,
} from '../../machines/index.js';

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const PROFILE = 'anthropic:claude-cli';

/** Small, round numbers so every delay in a test can be written down by hand. */
export const TEST_POLICY: Partial<RecoveryPolicy> = {
  refreshWindowMs: 5 * MINUTE,
  freshnessMarginMs: MINUTE,
  maxRetries: 2,
  retryBaseMs: 100,
  retryMaxMs: 10_000,
  retryJitter: 0.5,
  cooldownBaseMs: 1_000,
  cooldownMaxMs: 4_000,
  cooldownFactor: 2,
};

/** The raw tokens the fake actors hold, as real ones would; the machine must never see them. */
export const RAW_ACCESS_TOKEN = 'sk-ant-oat01-UNIT-ACCESS-SECRET';
export const RAW_REFRESH_TOKEN = 'sk-ant-ort01-UNIT-REFRESH-SECRET';

export const storeCredential = (expiresAt: number, fingerprint = 'fp-store'): CredentialView => ({
  fingerprint,
  expiresAt,
  source: 'store',
});
export const refreshedCredential = (now: number, fingerprint = 'fp-refreshed'): CredentialView => ({
  fingerprint,
  expiresAt: now + 8 * HOUR,
  source: 'refresh',
});
export const cliCredential = (now: number, fingerprint = 'fp-cli'): CredentialView => ({
  fingerprint,
  expiresAt: now + 9 * HOUR,
  source: 'cli',
});

export const permanentError = (): Error =>
  Object.assign(new Error(`invalid_grant for ${RAW_REFRESH_TOKEN}`), {
    name: 'RefreshError',
    code: 'REFRESH_FAILED',
    kind: 'permanent' as const,
  });
export const transientError = (extra: { retryAfterMs?: number } = {}): Error =>
  Object.assign(new Error('HTTP 503'), {
    name: 'RefreshError',
    code: 'REFRESH_TRANSIENT',
    kind: 'transient' as const,
    ...extra,
  });

type ActorId = 'refreshToken' | 'syncFromCli' | 'retryPendingCalls';
interface ActorInputs {
  refreshToken: CredentialActorInput;
  syncFromCli: CredentialActorInput;
  retryPendingCalls: RetryInput;
}
interface ActorOutputs {
  refreshToken: RefreshOutput;
  syncFromCli: SyncOutput;
  retryPendingCalls: RetryOutput;
}
interface PendingCall {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface RecoveryOptions {
  input?: Partial<RecoveryInput>;
  random?: () => number;
  /** Defaults to the simulated clock; pass your own to model a wall clock that jumps. */
  now?: () => number;
}

export function startRecovery(options: RecoveryOptions = {}) {
  const clock = new SimulatedClock();
  clock.set(T0);
  const pending = new Map<ActorId, PendingCall>();
  const inputs: { [K in ActorId]: ActorInputs[K][] } = {
    refreshToken: [],
    syncFromCli: [],
    retryPendingCalls: [],
  };
  const deferred = <K extends ActorId>(id: K) =>
    fromPromise<ActorOutputs[K], ActorInputs[K]>(({ input }) => {
      void [RAW_ACCESS_TOKEN, RAW_REFRESH_TOKEN];
      inputs[id].push(input);
      return new Promise<ActorOutputs[K]>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      });
    });
  const machine = createRecoveryMachine({
    now: options.now ?? (() => clock.now()),
    random: options.random ?? (() => 0),
  }).provide({
    actors: {
      refreshToken: deferred('refreshToken'),
      syncFromCli: deferred('syncFromCli'),
      retryPendingCalls: deferred('retryPendingCalls'),
    },
  });
  const emitted: RecoveryEmitted[] = [];
  const actor: Actor<typeof machine> = createActor(machine, {
    clock,
    input: { profileId: PROFILE, policy: TEST_POLICY, ...options.input },
  });
  actor.on('*', (event) => emitted.push(event));
  actor.start();

  const take = (id: ActorId): PendingCall => {
    const call = pending.get(id);
    if (!call) throw new Error(`"${id}" is not running in state "${String(actor.getSnapshot().value)}"`);
    pending.delete(id);
    return call;
  };

  return {
    actor,
    clock,
    emitted,
    inputs,
    state: () => actor.getSnapshot().value as string,
    context: () => actor.getSnapshot().context,
    isRunning: (id: ActorId) => pending.has(id),
    async resolve<K extends ActorId>(id: K, output: ActorOutputs[K] | null): Promise<void> {
      take(id).resolve(output);
      await settle();
    },
    async reject(id: ActorId, error: unknown): Promise<void> {
      take(id).reject(error);
      await settle();
    },
    async send(event: RecoveryEvent): Promise<void> {
      actor.send(event);
      await settle();
    },
    async advance(ms: number): Promise<void> {
      clock.increment(ms);
      await settle();
    },
    emittedOf<T extends RecoveryEmitted['type']>(type: T): Extract<RecoveryEmitted, { type: T }>[] {
      return emitted.filter((event): event is Extract<RecoveryEmitted, { type: T }> => event.type === type);
    },
  };
}

export type RecoveryUnderTest = ReturnType<typeof startRecovery>;
