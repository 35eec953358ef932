/**
 * One simulated run of the real recovery machine for the bounded-work property: a ManualClock
 * (epoch ms plus XState's SimulatedClock that knows its timers), invoked actors that model the token endpoint,
 * the Claude CLI and the retried calls from generated answers, and a caller that behaves like
 * the runtime's hot path (an unusable token → TOKEN_EXPIRED; a call → AUTH_REJECTED or
 * TOKEN_ACCEPTED). Records the simulated time of every token request.
 */
import { createActor, fromPromise } from 'xstate';
import {
  type CredentialActorInput,
  type CredentialView,
  createRecoveryMachine,
  isUsable,
  type RecoveryPolicy,
  type RefreshOutput,
  type RetryInput,
  type RetryOutput,
  type SyncOutput,
} from '../../../machines/index.js';
import { ManualClock } from '../../../src/cli/demo/manual-clock.js';
import { seededRandom } from '../../support/store-workers/fixtures.js';

export const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);

/** What the token endpoint answers to one refresh (taken in turn, cycling). */
export type TokenAnswer =
  | { kind: 'rotated'; lifetimeMs: number }
  /** Another process refreshed first: the actor adopts its token without a request. */
  | { kind: 'adopted'; lifetimeMs: number }
  | { kind: 'permanent' }
  | { kind: 'transient'; retryAfterMs?: number };

export type SyncAnswer =
  | { kind: 'adopted'; lifetimeMs: number }
  | { kind: 'notFresher' | 'blank' | 'missing' }
  | { kind: 'unreadable' };

/** One step of the world: time passes, then the caller and perhaps a human act. */
export interface WorldStep {
  advanceMs: number;
  /** The caller makes an API call with the token it holds. */
  calls: boolean;
  /** That call is rejected with an authentication error. */
  rejected: boolean;
  /** `refresh()` / an operator forcing a refresh. */
  forceRefresh: boolean;
  human: 'CREDENTIALS_CHANGED' | 'SYNC_REQUESTED' | null;
}

export interface World {
  policy: RecoveryPolicy;
  /** Lifetime of the credential loaded at start (ms; 0 or negative = already expired). */
  initialLifetimeMs: number;
  tokenAnswers: TokenAnswer[];
  syncAnswers: SyncAnswer[];
  /** Per retried batch: how many calls were rejected again; -1 = the retry bookkeeping threw. */
  retryAnswers: number[];
  steps: WorldStep[];
  seed: number;
}

export interface RunResult {
  /** Simulated epoch ms of every token request, in order. */
  requests: number[];
  endedAt: number;
  states: Set<string>;
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runWorld(world: World): Promise<RunResult> {
  const clock = new ManualClock(T0);
  const requests: number[] = [];
  const states = new Set<string>();
  let token = 0;
  let refreshes = 0;
  let syncs = 0;
  let retries = 0;
  const credential = (lifetimeMs: number, source: CredentialView['source']): CredentialView => {
    token += 1;
    return { fingerprint: `fp-${token}`, expiresAt: clock.now() + lifetimeMs, source };
  };
  const error = (kind: 'permanent' | 'transient', retryAfterMs?: number) =>
    Object.assign(new Error(kind), { name: 'RefreshError', code: 'REFRESH_FAILED', kind, retryAfterMs });

  const machine = createRecoveryMachine({ now: clock.now, random: seededRandom(world.seed) }).provide({
    actors: {
      refreshToken: fromPromise<RefreshOutput, CredentialActorInput>(async () => {
        const answer = world.tokenAnswers[refreshes++ % world.tokenAnswers.length] ?? { kind: 'permanent' };
        if (answer.kind === 'adopted') return credential(answer.lifetimeMs, 'store');
        requests.push(clock.now());
        if (answer.kind === 'rotated') return credential(answer.lifetimeMs, 'refresh');
        throw error(answer.kind, answer.kind === 'transient' ? answer.retryAfterMs : undefined);
      }),
      syncFromCli: fromPromise<SyncOutput, CredentialActorInput>(async () => {
        const answer = world.syncAnswers[syncs++ % world.syncAnswers.length] ?? { kind: 'missing' };
        if (answer.kind === 'unreadable')
          throw Object.assign(new Error('malformed'), { code: 'CREDENTIAL_PARSE' });
        if (answer.kind === 'adopted')
          return { status: 'adopted', credential: credential(answer.lifetimeMs, 'cli') };
        return { status: answer.kind, credential: null };
      }),
      retryPendingCalls: fromPromise<RetryOutput, RetryInput>(async () => {
        const rejected = world.retryAnswers[retries++ % world.retryAnswers.length] ?? 0;
        if (rejected < 0) throw new Error('bookkeeping failed');
        return { rejected };
      }),
    },
  });
  const actor = createActor(machine, {
    clock: clock.timers,
    input: {
      profileId: 'anthropic:claude-cli',
      credential: credential(world.initialLifetimeMs, 'store'),
      policy: world.policy,
    },
  });
  actor.subscribe((snapshot) => states.add(String(snapshot.value)));
  actor.start();
  const drain = async () => {
    for (let i = 0; i < 4; i += 1) await settle();
  };
  try {
    for (const step of world.steps) {
      const target = clock.now() + step.advanceMs;
      // Fire timers one by one at their own deadlines, letting each transition's actors settle.
      for (
        let due = clock.timers.nextDue();
        due !== undefined && due <= target;
        due = clock.timers.nextDue()
      ) {
        clock.fireNextTimer();
        await drain();
      }
      clock.advance(target - clock.now());
      await drain();
      const snapshot = actor.getSnapshot();
      if (snapshot.status !== 'active') throw new Error(`the machine stopped: ${snapshot.status}`);
      const { credential: held, policy } = snapshot.context;
      if (snapshot.value === 'valid' && !isUsable(held, clock.now(), policy.freshnessMarginMs)) {
        actor.send({ type: 'TOKEN_EXPIRED' });
      } else if (step.calls) {
        actor.send(step.rejected ? { type: 'AUTH_REJECTED', status: 401 } : { type: 'TOKEN_ACCEPTED' });
      }
      if (step.forceRefresh) actor.send({ type: 'TOKEN_EXPIRED' });
      if (step.human) actor.send({ type: step.human });
      await drain();
    }
  } finally {
    actor.stop();
  }
  return { requests, endedAt: clock.now(), states };
}

/** The most requests inside any window of `windowMs` (half-open [t, t + windowMs)). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
