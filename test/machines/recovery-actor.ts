/**
 * A real recovery actor on XState's SimulatedClock, with its three invoked actors replaced by
 * deferreds the test settles by hand. Time only moves when a test calls `advance`; `settle`
 * lets promise continuations run and is never a wait for time.
 */
import { type Actor, createActor } from 'xstate';
import {
  type CredentialView,
  createRecoveryMachine,
  type RecoveryEmitted,
  type RecoveryEvent,
  type RecoveryInput,
  type RecoveryPolicy,
} from '../../machines/index.js';
import { ManualClock } from '../../src/cli/demo/manual-clock.js';
import {
  createDeferredActors,
  type RecoveryActorId,
  type RecoveryActorOutputs,
  settle,
} from '../support/deferred-actors.js';

export { settle };

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
  // 1 ms: the suites written before the minimum interval existed see (almost) no throttle;
  // recovery.bounds.test.ts exercises it with real numbers.
  minRefreshIntervalMs: 1,
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

export interface RecoveryOptions {
  input?: Partial<RecoveryInput>;
  random?: () => number;
  /** Defaults to the simulated clock; pass your own to model a wall clock that jumps. */
  now?: () => number;
}

export function startRecovery(options: RecoveryOptions = {}) {
  const clock = new ManualClock(T0);
  const deferred = createDeferredActors();
  const machine = createRecoveryMachine({
    now: options.now ?? clock.now,
    random: options.random ?? (() => 0),
  }).provide({ actors: deferred.actors });
  const emitted: RecoveryEmitted[] = [];
  const actor: Actor<typeof machine> = createActor(machine, {
    clock: clock.timers,
    input: { profileId: PROFILE, policy: TEST_POLICY, ...options.input },
  });
  actor.on('*', (event) => emitted.push(event));
  actor.start();

  const take = (id: RecoveryActorId) => deferred.take(id, `in state "${String(actor.getSnapshot().value)}"`);

  return {
    actor,
    clock,
    emitted,
    inputs: deferred.inputs,
    state: () => actor.getSnapshot().value as string,
    context: () => actor.getSnapshot().context,
    isRunning: deferred.isRunning,
    async resolve<K extends RecoveryActorId>(id: K, output: RecoveryActorOutputs[K] | null): Promise<void> {
      take(id).resolve(output);
      await settle();
    },
    async reject(id: RecoveryActorId, error: unknown): Promise<void> {
      take(id).reject(error);
      await settle();
    },
    async send(event: RecoveryEvent): Promise<void> {
      actor.send(event);
      await settle();
    },
    async advance(ms: number): Promise<void> {
      clock.advance(ms);
      await settle();
    },
    emittedOf<T extends RecoveryEmitted['type']>(type: T): Extract<RecoveryEmitted, { type: T }>[] {
      return emitted.filter((event): event is Extract<RecoveryEmitted, { type: T }> => event.type === type);
    },
  };
}

export type RecoveryUnderTest = ReturnType<typeof startRecovery>;
