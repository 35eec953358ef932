/**
 * The recovery machine's vocabulary and rules: its types, the named guards, delays and actions
 * (every one pure, reading time from the injected clock), and the actor slots `src/` fills.
 * `recovery.machine.ts` tells the story with them.
 */
import { assign, emit, fromPromise, setup } from 'xstate';
import { classifyFailure, describeFailure } from './failures.js';
import { isFresher, isUsable } from './freshness.js';
import {
  cooldownEndsAt,
  earliestTokenRequestAt,
  refreshPointAt,
  remainingMs,
  retryDelayMs,
} from './policies.js';
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
import {
  countRejection,
  deferToStoredCooldown,
  mayRequestToken,
  refreshDoesNotHelp,
  refreshNotHelping,
  withIssueTime,
} from './work-bounds.js';

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
      /** At least `minRefreshIntervalMs` since the last token request started (or none yet). */
      mayRequestToken: ({ context }) => mayRequestToken(context, now()),
      /** Fresh tokens keep being rejected: the `maxRetries`-th such rejection means refreshing does not help. */
      refreshDoesNotHelp: ({ context }) => refreshDoesNotHelp(context),
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
      /**
       * Until `minRefreshIntervalMs` after the last token request started; never longer than the
       * interval itself, so a wall clock stepping back cannot hold the recovery for that long.
       */
      refreshThrottle: ({ context }) =>
        Math.min(
          context.policy.minRefreshIntervalMs,
          remainingMs(earliestTokenRequestAt(context.lastRefreshAt, context.policy), now()),
        ),
      /** Until the cooldown deadline held in context, so a restored deadline is honoured too. */
      cooldownDelay: ({ context }) => remainingMs(context.cooldownUntil, now()),
    },
    actions: {
      /**
       * At the lifetime-scaled refresh point (jittered), or after a deferral, but never past the
       * token's last usable moment, and never sooner than the minimum interval after the last request.
       */
      scheduleRefresh: assign({
        nextRefreshAt: ({ context }) =>
          context.credential
            ? refreshPointAt(
                context.credential,
                context.refreshNotBefore,
                context.lastRefreshAt,
                context.policy,
                random,
              )
            : null,
      }),
      /**
       * The scheduled refresh point came: it already honours the minimum interval and any
       * deferral (both are consumed), and the token lived to it without being judged useless.
       */
      refreshPointReached: assign({ lastRefreshAt: null, refreshNotBefore: null, unprovenRejections: 0 }),
      /** A persisted cooldown while our token still works: serve it, refresh no sooner than the deadline. */
      deferToStoredCooldown: assign(({ context }) => deferToStoredCooldown(context, now())),
      /** A token request starts now: the next recovery waits out the minimum interval from here. */
      recordTokenRequest: assign({ lastRefreshAt: () => now() }),
      /** A call succeeded with the current token: it works, so earlier rejections were not its fault. */
      recordTokenAccepted: assign({ tokenProven: true, unprovenRejections: 0 }),
      /** Refreshing did not help: cool down, longer for every further useless refresh. */
      recordRefreshNotHelping: assign(({ context }) => refreshNotHelping(context)),
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
      /** An API call rejected our token; a token fresh from a recovery counts towards `refreshDoesNotHelp`. */
      markTokenRejected: assign({
        credential: ({ context }) => (context.credential ? { ...context.credential, rejected: true } : null),
        pendingCalls: ({ context }) => context.pendingCalls + 1,
        unprovenRejections: ({ context }) => countRejection(context),
      }),
      countPendingCall: assign({ pendingCalls: ({ context }) => context.pendingCalls + 1 }),
      /** The refresh's result (metadata of the credential now stored) becomes ours. */
      adoptRefreshed: assign((_, params: { output: RefreshOutput }) => ({
        credential: withIssueTime(params.output, now()),
        tokenProven: false,
      })),
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
      adoptSynced: assign((_, params: { output: SyncOutput }) => ({
        credential: withIssueTime(params.output.credential, now()),
        tokenProven: false,
      })),
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
