/**
 * The recovery machine's vocabulary and rules: its types, the named guards, delays and actions
 * (every one pure, reading time from the injected clock), and the actor slots `src/` fills.
 * `recovery.machine.ts` tells the story with them.
 */
import { assign, emit, fromPromise, setup } from 'xstate';
import { classifyFailure, describeFailure } from './failures.js';
import { isFresher, isUsable } from './freshness.js';
import { cooldownEndsAt, refreshPointAt, remainingMs, retryDelayMs } from './policies.js';
import type {
  CredentialActorInput,
  RecoveryContext,
  RecoveryEmitted,
  RecoveryEvent,
  RecoveryInput,
  RefreshOutput,
  RetryInput,
  RetryOutput,
  SyncOutput,
} from './recovery.types.js';

/** What `createRecoveryMachine` takes: the clock and random source its guards and delays read. */
export interface RecoveryMachineDeps {
  /** Epoch ms. Pass the same clock the actor runs on (e.g. XState's SimulatedClock) in tests. */
  now?: () => number;
  /** 0 ≤ r < 1, for backoff jitter. */
  random?: () => number;
}

/** The default actors reject: the real ones live in `src/` and are supplied with `provide()`. */
function notProvided<TOutput, TInput>(id: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new Error(`actor "${id}" was not provided: supply it with machine.provide({ actors: { ${id} } })`);
  });
}

/** The machine's `setup()`: types, actors, guards, delays and actions, bound to `deps`' clock and random source. */
export function recoverySetup(deps: RecoveryMachineDeps = {}) {
  const now = deps.now ?? (() => Date.now());
  const random = deps.random ?? Math.random;

  return setup({
    // Stryker disable next-line ObjectLiteral: equivalent — `types` only carries TypeScript types; XState ignores its value at run time.
    types: {
      context: {} as RecoveryContext,
      events: {} as RecoveryEvent,
      input: {} as RecoveryInput,
      emitted: {} as RecoveryEmitted,
    },
    actors: {
      refreshToken: notProvided<RefreshOutput, CredentialActorInput>('refreshToken'),
      syncFromCli: notProvided<SyncOutput, CredentialActorInput>('syncFromCli'),
      retryPendingCalls: notProvided<RetryOutput, RetryInput>('retryPendingCalls'),
    },
    guards: {
      /** We hold a non-blank, unrejected token that outlives the freshness margin. */
      hasFreshToken: ({ context }) => isUsable(context.credential, now(), context.policy.freshnessMarginMs),
      /** Our token still works (usable, not rejected): a failed refresh or an empty sync does not take it away. */
      isStillValid: ({ context }) => isUsable(context.credential, now(), context.policy.freshnessMarginMs),
      /** A persisted cooldown deadline has not passed yet. */
      // Stryker disable next-line ConditionalExpression: equivalent — `null > now()` is false, so the null test only narrows the type.
      isCoolingDown: ({ context }) => context.cooldownUntil !== null && context.cooldownUntil > now(),
      isPermanentFailure: ({ context }) => context.lastError === 'permanent',
      // Stryker disable next-line ConditionalExpression: equivalent in this machine — refreshFailed is entered only through
      // recordRefreshFailure (lastError is 'permanent' or 'transient') and 'permanent' is taken by the branch before.
      isTransientFailure: ({ context }) => context.lastError === 'transient',
      canRetry: ({ context }) => context.attempts < context.policy.maxRetries,
      /** The sync adopted a CLI credential that beats the one we hold (same rule as the store). */
      // The output is typed, but a provided actor may still resolve with nothing: that is not fresher.
      isCliFresher: ({ context }, params: { output: SyncOutput | null | undefined }) =>
        params.output?.status === 'adopted' &&
        isFresher(params.output.credential, context.credential, now(), context.policy.freshnessMarginMs),
      hasPendingCalls: ({ context }) => context.pendingCalls > 0,
      /** At least one call retried with the recovered token was rejected again. */
      wasRejectedAgain: (_, params: { output: RetryOutput | null | undefined }) =>
        (params.output?.rejected ?? 0) > 0,
      /**
       * `wasRejectedAgain` and `canRetry` together. One guard, because XState's `and()` does not
       * type a member's event-derived `params`.
       */
      wasRejectedAgainWithRetriesLeft: ({ context }, params: { output: RetryOutput | null | undefined }) =>
        (params.output?.rejected ?? 0) > 0 && context.attempts < context.policy.maxRetries,
    },
    delays: {
      /** Until the proactive refresh: expiry minus the refresh window (0 when already inside it). */
      refreshAt: ({ context }) => remainingMs(context.nextRefreshAt, now()),
      /** Exponential, jittered, capped; never shorter than a server's Retry-After (still capped). */
      retryBackoff: ({ context }) =>
        retryDelayMs(context.attempts, context.retryAfterMs, context.policy, random),
      /** Until the cooldown deadline held in context, so a restored deadline is honoured too. */
      cooldownDelay: ({ context }) => remainingMs(context.cooldownUntil, now()),
    },
    actions: {
      /** At the refresh window, or after a deferral, but never past the token's last usable moment. */
      scheduleRefresh: assign({
        nextRefreshAt: ({ context }) =>
          context.credential
            ? refreshPointAt(context.credential.expiresAt, context.refreshNotBefore, context.policy)
            : null,
      }),
      /** A recovery failed but our token still works: keep serving it and try again after a cooldown-long wait. */
      deferRefresh: assign(({ context }) =>
        // Nothing failed (a sync from `valid` found nothing new), or a deferral is already pending.
        // Stryker disable next-line ConditionalExpression: equivalent — `null > now()` is false, so the null test only narrows the type.
        context.lastError === null || (context.refreshNotBefore !== null && context.refreshNotBefore > now())
          ? {}
          : {
              refreshNotBefore: cooldownEndsAt(now(), context.consecutiveCooldowns, context.policy),
              consecutiveCooldowns: context.consecutiveCooldowns + 1,
              attempts: 0,
              pendingCalls: 0,
            },
      ),
      beginRecovery: assign({
        attempts: 0,
        recoveryStartedAt: ({ context }) => context.recoveryStartedAt ?? now(),
        nextRefreshAt: null,
      }),
      markTokenRejected: assign({
        credential: ({ context }) => (context.credential ? { ...context.credential, rejected: true } : null),
        pendingCalls: ({ context }) => context.pendingCalls + 1,
      }),
      countPendingCall: assign({ pendingCalls: ({ context }) => context.pendingCalls + 1 }),
      /** The refresh's result (metadata of the credential now stored) becomes ours. */
      adoptRefreshed: assign((_, params: { output: RefreshOutput }) => ({ credential: params.output })),
      emitRefreshed: emit(({ context }) => ({
        type: 'refreshed' as const,
        profileId: context.profileId,
        fingerprint: context.credential?.fingerprint ?? '',
        expiresAt: context.credential?.expiresAt ?? 0,
        source: context.credential?.source ?? 'refresh',
      })),
      /** Why the refresh failed (permanent or transient) and any Retry-After the server sent. */
      recordRefreshFailure: assign((_, params: { error: unknown }) => {
        const { kind, retryAfterMs } = classifyFailure(params.error);
        return { lastError: kind, retryAfterMs, lastErrorMessage: describeFailure(params.error) };
      }),
      countAttempt: assign({ attempts: ({ context }) => context.attempts + 1 }),
      /** The CLI credential the sync stored becomes ours. */
      adoptSynced: assign((_, params: { output: SyncOutput }) => ({ credential: params.output.credential })),
      // Stryker disable OptionalChaining,StringLiteral,LogicalOperator: equivalent — emitSynced runs only after isCliFresher
      // accepted the adopted credential, so `context.credential` is never null here and the fallbacks are unreachable.
      emitSynced: emit(({ context }) => ({
        type: 'synced' as const,
        profileId: context.profileId,
        fingerprint: context.credential?.fingerprint ?? '',
        expiresAt: context.credential?.expiresAt ?? 0,
      })),
      // Stryker restore OptionalChaining,StringLiteral,LogicalOperator
      recordNothingFresher: assign({
        lastError: 'notFresher',
        lastErrorMessage: 'notFresher',
      }),
      /** The CLI's credentials could not be read: a short label of why. */
      recordSyncFailure: assign((_, params: { error: unknown }) => ({
        lastError: 'unreadable',
        lastErrorMessage: describeFailure(params.error),
      })),
      recordRejectedAgain: assign({
        lastError: 'rejectedAgain',
        lastErrorMessage: 'rejectedAgain',
        credential: ({ context }) => (context.credential ? { ...context.credential, rejected: true } : null),
      }),
      clearPendingCalls: assign({ pendingCalls: 0 }),
      /** A new deadline unless we are back from an interrupted cooldown whose deadline still holds. */
      startCooldown: assign(({ context }) => {
        const at = now();
        // Stryker disable next-line ConditionalExpression: equivalent — `null > at` is false, so the null test only narrows the type.
        if (context.cooldownUntil !== null && context.cooldownUntil > at) {
          return { pendingCalls: 0, attempts: 0 };
        }
        return {
          cooldownUntil: cooldownEndsAt(at, context.consecutiveCooldowns, context.policy),
          consecutiveCooldowns: context.consecutiveCooldowns + 1,
          pendingCalls: 0,
          attempts: 0,
        };
      }),
      emitCooldownStarted: emit(({ context }) => ({
        type: 'cooldownStarted' as const,
        profileId: context.profileId,
        until: context.cooldownUntil ?? now(),
        consecutive: context.consecutiveCooldowns,
        reason: context.lastError,
      })),
      endCooldownByTimer: assign({ cooldownUntil: null }),
      emitCooldownEnded: emit(
        ({ context }, params: { reason: 'timer' | 'credentialsChanged' | 'syncRequested' }) => ({
          type: 'cooldownEnded' as const,
          profileId: context.profileId,
          reason: params.reason,
        }),
      ),
      emitRecovered: emit(({ context }) => ({
        type: 'recovered' as const,
        profileId: context.profileId,
        fingerprint: context.credential?.fingerprint ?? '',
        expiresAt: context.credential?.expiresAt ?? 0,
        durationMs: context.recoveryStartedAt === null ? 0 : Math.max(0, now() - context.recoveryStartedAt),
      })),
      resetAfterRecovery: assign({
        attempts: 0,
        consecutiveCooldowns: 0,
        cooldownUntil: null,
        retryAfterMs: null,
        lastError: null,
        lastErrorMessage: null,
        pendingCalls: 0,
        recoveryStartedAt: null,
        refreshNotBefore: null,
      }),
    },
  });
}
