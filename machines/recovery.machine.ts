/**
 * The recovery machine: the story of DESIGN.md's flow, with no I/O.
 *
 *   valid ─(refresh point | TOKEN_EXPIRED | AUTH_REJECTED)─► expired ─► refreshing ─ok─► ok ─► valid
 *   refreshing ─error─► refreshFailed ─(backoff, retries left)─► refreshing, else ─► syncingFromCli
 *   syncingFromCli ─CLI fresher─► retrying ─► ok;  our token still works ─► valid;  else ─► cooldown
 *   cooldown ─(deadline | CREDENTIALS_CHANGED | SYNC_REQUESTED)─► expired / syncingFromCli
 *
 * That is the outline; the complete chart (every transition, generated from this definition and
 * drift-tested) is the diagram in docs/state-machine.md (`npm run docs:diagram`).
 *
 * Side effects are invoked actors (`refreshToken`, `syncFromCli`, `retryPendingCalls`) that
 * `src/` supplies with `machine.provide()`. Time and randomness are injected, so guards and
 * delays are pure functions of (context, event, clock).
 */
import { and, assign, emit, fromPromise, not, type SnapshotFrom, setup } from 'xstate';
import { isFresher, isUsable } from './freshness.js';
import { cooldownEndsAt, refreshPointAt, remainingMs, resolvePolicy, retryDelayMs } from './policies.js';
import type {
  ClassifiableError,
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

/** Reads the failure kind off an actor error; anything unrecognised is treated as transient. */
export function classifyFailure(error: unknown): {
  kind: 'permanent' | 'transient';
  retryAfterMs: number | null;
} {
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as ClassifiableError;
  const retryAfterMs =
    // Stryker disable next-line ConditionalExpression: equivalent — Number.isFinite does not coerce, so it is false for every non-number; the typeof test narrows the type.
    typeof candidate.retryAfterMs === 'number' && Number.isFinite(candidate.retryAfterMs)
      ? candidate.retryAfterMs
      : null;
  return { kind: candidate.kind === 'permanent' ? 'permanent' : 'transient', retryAfterMs };
}

/** A short, secret-free label for an error: its code, or its class name. */
export function describeFailure(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return 'Error';
}

/**
 * Builds the recovery machine. Its three actors (`refreshToken`, `syncFromCli`,
 * `retryPendingCalls`) reject until supplied with `machine.provide({ actors })`.
 */
export function createRecoveryMachine(deps: RecoveryMachineDeps = {}) {
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
  }).createMachine({
    id: 'recovery',
    context: ({ input }) => ({
      profileId: input.profileId,
      credential: input.credential ?? null,
      policy: resolvePolicy(input.policy),
      attempts: 0,
      consecutiveCooldowns: input.consecutiveCooldowns ?? 0,
      cooldownUntil: input.cooldownUntil ?? null,
      nextRefreshAt: null,
      refreshNotBefore: null,
      retryAfterMs: null,
      lastError: null,
      lastErrorMessage: null,
      pendingCalls: 0,
      recoveryStartedAt: null,
    }),
    // Stryker disable next-line StringLiteral: equivalent — with an empty `initial` XState starts in the first state, which is this one.
    initial: 'initializing',
    states: {
      /** Deciding where to start from what was loaded: deadlines are re-checked, not trusted to timers. */
      initializing: {
        always: [
          { guard: 'isCoolingDown', target: 'cooldown' },
          { guard: 'hasFreshToken', target: 'valid' },
          { target: 'expired' },
        ],
      },

      /** The token works; a proactive refresh is scheduled for the start of the refresh window. */
      valid: {
        entry: 'scheduleRefresh',
        after: { refreshAt: { target: 'expired' } },
        on: {
          TOKEN_EXPIRED: { target: 'expired' },
          AUTH_REJECTED: { target: 'expired', actions: 'markTokenRejected' },
          CREDENTIALS_CHANGED: { target: 'syncingFromCli' },
          SYNC_REQUESTED: { target: 'syncingFromCli' },
        },
      },

      /** The token is due or dead; a recovery begins. */
      expired: {
        entry: 'beginRecovery',
        always: { target: 'refreshing' },
      },

      /** Spending the refresh token (once per rotation, under the store lock; adopts a winner's token). */
      refreshing: {
        invoke: {
          id: 'refreshToken',
          src: 'refreshToken',
          input: ({ context }) => ({ profileId: context.profileId, credential: context.credential }),
          onDone: {
            target: 'ok',
            actions: [
              { type: 'adoptRefreshed', params: ({ event }) => ({ output: event.output }) },
              'emitRefreshed',
            ],
          },
          onError: {
            target: 'refreshFailed',
            actions: { type: 'recordRefreshFailure', params: ({ event }) => ({ error: event.error }) },
          },
        },
        on: { AUTH_REJECTED: { actions: 'countPendingCall' } },
      },

      /** The refresh failed: permanent failures go to the CLI at once, transient ones back off and retry. */
      refreshFailed: {
        always: [
          { guard: 'isPermanentFailure', target: 'syncingFromCli' },
          { guard: and(['isTransientFailure', not('canRetry')]), target: 'syncingFromCli' },
        ],
        after: {
          // Stryker disable next-line StringLiteral: equivalent — when canRetry is false refreshFailed is left at once by an
          // `always` branch, so the timer can only fire with canRetry true; the guard states the rule.
          retryBackoff: { guard: 'canRetry', target: 'refreshing', actions: 'countAttempt' },
        },
        on: { AUTH_REJECTED: { actions: 'countPendingCall' } },
      },

      /** Reading the Claude Code CLI's credentials and adopting them if they beat ours. */
      syncingFromCli: {
        invoke: {
          id: 'syncFromCli',
          src: 'syncFromCli',
          input: ({ context }) => ({ profileId: context.profileId, credential: context.credential }),
          onDone: [
            {
              guard: { type: 'isCliFresher', params: ({ event }) => ({ output: event.output }) },
              target: 'retrying',
              actions: [
                { type: 'adoptSynced', params: ({ event }) => ({ output: event.output }) },
                'emitSynced',
              ],
            },
            { guard: 'isStillValid', target: 'valid', actions: 'deferRefresh' },
            { target: 'cooldown', actions: ['recordNothingFresher', 'startCooldown'] },
          ],
          onError: [
            { guard: 'isStillValid', target: 'valid', actions: 'deferRefresh' },
            {
              target: 'cooldown',
              actions: [
                { type: 'recordSyncFailure', params: ({ event }) => ({ error: event.error }) },
                'startCooldown',
              ],
            },
          ],
        },
        on: { AUTH_REJECTED: { actions: 'countPendingCall' } },
      },

      /** Fresh credentials are in; calls rejected with the old token are retried once with the new one. */
      retrying: {
        always: { guard: not('hasPendingCalls'), target: 'ok' },
        invoke: {
          id: 'retryPendingCalls',
          src: 'retryPendingCalls',
          input: ({ context }) => ({
            profileId: context.profileId,
            credential: context.credential,
            pendingCalls: context.pendingCalls,
          }),
          onDone: [
            {
              guard: {
                type: 'wasRejectedAgainWithRetriesLeft',
                params: ({ event }) => ({ output: event.output }),
              },
              target: 'syncingFromCli',
              actions: ['recordRejectedAgain', 'clearPendingCalls', 'countAttempt'],
            },
            {
              guard: { type: 'wasRejectedAgain', params: ({ event }) => ({ output: event.output }) },
              target: 'cooldown',
              actions: ['recordRejectedAgain', 'startCooldown'],
            },
            { target: 'ok' },
          ],
          // The retry bookkeeping itself failing must not wedge the machine: the calls were answered.
          onError: { target: 'ok' },
        },
      },

      /** Recovered: counters and cooldown reset, `recovered` emitted, then straight back to valid. */
      ok: {
        entry: ['emitRecovered', 'resetAfterRecovery'],
        always: { target: 'valid' },
      },

      /** Waiting out a failed recovery. Always ends: by its own deadline, or at once on a CLI change. */
      cooldown: {
        entry: 'emitCooldownStarted',
        after: {
          cooldownDelay: {
            target: 'expired',
            actions: ['endCooldownByTimer', { type: 'emitCooldownEnded', params: { reason: 'timer' } }],
          },
        },
        on: {
          CREDENTIALS_CHANGED: {
            target: 'syncingFromCli',
            actions: { type: 'emitCooldownEnded', params: { reason: 'credentialsChanged' } },
          },
          SYNC_REQUESTED: {
            target: 'syncingFromCli',
            actions: { type: 'emitCooldownEnded', params: { reason: 'syncRequested' } },
          },
        },
      },
    },
  });
}

/** The machine `createRecoveryMachine` returns (before its actors are provided). */
export type RecoveryMachine = ReturnType<typeof createRecoveryMachine>;

/** The machine's state names (`initializing`, `valid`, … `cooldown`), derived from its definition. */
export type RecoveryStateName = SnapshotFrom<RecoveryMachine>['value'];
