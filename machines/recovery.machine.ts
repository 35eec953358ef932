/**
 * The recovery machine: the story of DESIGN.md's flow, with no I/O.
 *
 *   valid ─(refresh point | TOKEN_EXPIRED | AUTH_REJECTED)─► expired ─► refreshing ─ok─► ok ─► valid
 *   expired ─(too soon after the last token request)─► throttled ─(minimum interval)─► refreshing
 *   valid ─AUTH_REJECTED of a fresh token, the maxRetries-th in a row─► cooldown
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
import { and, not, type SnapshotFrom } from 'xstate';
import { clampStoredCooldown, resolvePolicy } from './policies.js';
import { type RecoveryMachineDeps, recoverySetup } from './recovery.setup.js';

export { classifyFailure, describeFailure } from './failures.js';
export type { RecoveryMachineDeps } from './recovery.setup.js';

/**
 * Builds the recovery machine. Its three actors (`refreshToken`, `syncFromCli`,
 * `retryPendingCalls`) reject until supplied with `machine.provide({ actors })`.
 */
export function createRecoveryMachine(deps: RecoveryMachineDeps = {}) {
  const now = deps.now ?? (() => Date.now());
  return recoverySetup(deps).createMachine({
    id: 'recovery',
    context: ({ input }) => {
      const policy = resolvePolicy(input.policy);
      return {
        profileId: input.profileId,
        credential: input.credential ?? null,
        policy,
        attempts: 0,
        consecutiveCooldowns: input.consecutiveCooldowns ?? 0,
        // A deadline another tool persisted (a gateway's 6 h ladder) is cut to our own maximum.
        cooldownUntil: clampStoredCooldown(input.cooldownUntil, now(), policy),
        nextRefreshAt: null,
        refreshNotBefore: null,
        retryAfterMs: null,
        lastError: null,
        lastErrorMessage: null,
        pendingCalls: 0,
        recoveryStartedAt: null,
        lastRefreshAt: null,
        tokenProven: true,
        unprovenRejections: 0,
      };
    },
    // Stryker disable next-line StringLiteral: equivalent — with an empty `initial` XState starts in the first state, which is this one.
    initial: 'initializing',
    states: {
      /** Deciding where to start from what was loaded: deadlines are re-checked, not trusted to timers. */
      initializing: {
        always: [
          // A token that still works is served even under a persisted cooldown (which defers its refresh).
          { guard: 'hasFreshToken', target: 'valid', actions: 'deferToStoredCooldown' },
          { guard: 'isCoolingDown', target: 'cooldown' },
          { target: 'expired' },
        ],
      },

      /** The token works; a proactive refresh is scheduled at its lifetime-scaled refresh point. */
      valid: {
        entry: 'scheduleRefresh',
        after: { refreshAt: { target: 'expired', actions: 'refreshPointReached' } },
        on: {
          TOKEN_EXPIRED: { target: 'expired' },
          AUTH_REJECTED: [
            // Fresh tokens keep being rejected: refreshing again would only burn the endpoint.
            {
              guard: 'refreshDoesNotHelp',
              target: 'cooldown',
              actions: ['markTokenRejected', 'recordRefreshNotHelping', 'startCooldown'],
            },
            { target: 'expired', actions: 'markTokenRejected' },
          ],
          TOKEN_ACCEPTED: { actions: 'recordTokenAccepted' },
          CREDENTIALS_CHANGED: { target: 'syncingFromCli' },
          SYNC_REQUESTED: { target: 'syncingFromCli' },
        },
      },

      /** The token is due or dead; a recovery begins, at once or after the minimum interval. */
      expired: {
        entry: 'beginRecovery',
        always: [{ guard: 'mayRequestToken', target: 'refreshing' }, { target: 'throttled' }],
      },

      /** Too soon after the last token request: wait out `minRefreshIntervalMs` (a CLI change need not wait). */
      throttled: {
        after: { refreshThrottle: { target: 'refreshing' } },
        on: {
          AUTH_REJECTED: { actions: 'countPendingCall' },
          CREDENTIALS_CHANGED: { target: 'syncingFromCli' },
          SYNC_REQUESTED: { target: 'syncingFromCli' },
        },
      },

      /** Spending the refresh token (once per rotation, under the store lock; adopts a winner's token). */
      refreshing: {
        entry: 'recordTokenRequest',
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
