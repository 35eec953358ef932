/**
 * Payload fixtures for every event the recovery machine can take, keyed by event type, then
 * by a fixture name. A missing fixture throws: a new event or actor must come with its
 * fixtures before the model can walk it. Payloads are built from `now` so the same fixture
 * means the same thing in the traversal (fixed clock) and on the real actor (moving clock).
 */
import type { CredentialView, RecoveryPolicy } from '../../machines/index.js';
import type { RecoveryActorId } from '../support/deferred-actors.js';

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
export const HOUR = 3_600_000;
export const TOKEN_LIFETIME = 8 * HOUR;

/** Small numbers keep the state space walkable; the arithmetic has its own unit tests. */
export const MODEL_POLICY: Partial<RecoveryPolicy> = {
  maxRetries: 1,
  retryBaseMs: 100,
  retryMaxMs: 400,
  cooldownBaseMs: 1_000,
  cooldownMaxMs: 4_000,
  refreshWindowMs: 5 * 60_000,
  freshnessMarginMs: 60_000,
  // Longer than every backoff plus cooldown here (≤ 4.4 s), so the fixed-clock traversal and the
  // moving clock of the replay agree on `mayRequestToken`: a second recovery is always throttled.
  minRefreshIntervalMs: 10_000,
};

/** The raw tokens the fake actors hold; the machine must never see them. */
export const RAW_TOKENS = ['sk-ant-oat01-MODEL-ACCESS-SECRET', 'sk-ant-ort01-MODEL-REFRESH-SECRET'];

export type Fixture =
  | { kind: 'send'; event: (now: number) => Record<string, unknown> }
  | { kind: 'resolve'; actorId: RecoveryActorId; output: (now: number) => unknown }
  | { kind: 'reject'; actorId: RecoveryActorId; error: () => Record<string, unknown> }
  | { kind: 'timer' };

const refreshed = (now: number): CredentialView => ({
  fingerprint: 'fp-refreshed',
  expiresAt: now + TOKEN_LIFETIME,
  source: 'refresh',
});
const cliFresh = (now: number): CredentialView => ({
  fingerprint: 'fp-cli-fresh',
  expiresAt: now + TOKEN_LIFETIME + 60_000,
  source: 'cli',
});

export const FIXTURES: Record<string, Record<string, Fixture>> = {
  TOKEN_EXPIRED: { expired: { kind: 'send', event: () => ({ type: 'TOKEN_EXPIRED' }) } },
  AUTH_REJECTED: {
    revoked: {
      kind: 'send',
      event: () => ({ type: 'AUTH_REJECTED', status: 401, message: 'OAuth token has been revoked' }),
    },
  },
  TOKEN_ACCEPTED: { callSucceeded: { kind: 'send', event: () => ({ type: 'TOKEN_ACCEPTED' }) } },
  CREDENTIALS_CHANGED: { cliChanged: { kind: 'send', event: () => ({ type: 'CREDENTIALS_CHANGED' }) } },
  SYNC_REQUESTED: { operatorSync: { kind: 'send', event: () => ({ type: 'SYNC_REQUESTED' }) } },
  'xstate.done.actor.refreshToken': {
    refreshed: { kind: 'resolve', actorId: 'refreshToken', output: refreshed },
  },
  'xstate.error.actor.refreshToken': {
    invalidGrant: {
      kind: 'reject',
      actorId: 'refreshToken',
      error: () => ({
        name: 'RefreshError',
        code: 'REFRESH_FAILED',
        kind: 'permanent',
        message: 'invalid_grant',
      }),
    },
    serverError: {
      kind: 'reject',
      actorId: 'refreshToken',
      error: () => ({ name: 'RefreshError', code: 'REFRESH_FAILED', kind: 'transient', message: 'HTTP 503' }),
    },
  },
  'xstate.done.actor.syncFromCli': {
    cliFresher: {
      kind: 'resolve',
      actorId: 'syncFromCli',
      output: (now) => ({ status: 'adopted', credential: cliFresh(now) }),
    },
    cliNotFresher: {
      kind: 'resolve',
      actorId: 'syncFromCli',
      output: () => ({ status: 'notFresher', credential: null }),
    },
  },
  'xstate.error.actor.syncFromCli': {
    cliUnreadable: {
      kind: 'reject',
      actorId: 'syncFromCli',
      error: () => ({ name: 'CredentialParseError', code: 'CREDENTIAL_PARSE', message: 'malformed JSON' }),
    },
  },
  'xstate.done.actor.retryPendingCalls': {
    callsSucceeded: { kind: 'resolve', actorId: 'retryPendingCalls', output: () => ({ rejected: 0 }) },
    callsRejectedAgain: { kind: 'resolve', actorId: 'retryPendingCalls', output: () => ({ rejected: 1 }) },
  },
  'xstate.error.actor.retryPendingCalls': {
    retryCrashed: {
      kind: 'reject',
      actorId: 'retryPendingCalls',
      error: () => ({ name: 'Error', message: 'bookkeeping failed' }),
    },
  },
};

/** The model event for a fixture: what the traversal feeds the machine's pure transition. */
export function modelEvent(
  type: string,
  name: string,
  fixture: Fixture,
  now: number,
): Record<string, unknown> {
  const tag = { fixture: name };
  switch (fixture.kind) {
    case 'send':
      return { ...fixture.event(now), ...tag };
    case 'resolve':
      return { type, output: fixture.output(now), actorId: fixture.actorId, ...tag };
    case 'reject':
      return { type, error: fixture.error(), actorId: fixture.actorId, ...tag };
    case 'timer':
      return { type, ...tag };
  }
}

/** Fixtures for an event type; delayed transitions need none. Throws for anything unknown. */
export function fixturesFor(type: string): Array<[string, Fixture]> {
  if (type.startsWith('xstate.after.')) return [['timer', { kind: 'timer' }]];
  const entries = FIXTURES[type];
  if (!entries)
    throw new Error(`no model fixture for event "${type}": add one to test/model/recovery-fixtures.ts`);
  return Object.entries(entries);
}

export function fixtureByName(type: string, name: string): Fixture {
  const found = fixturesFor(type).find(([fixtureName]) => fixtureName === name);
  if (!found) throw new Error(`no fixture "${name}" for event "${type}"`);
  return found[1];
}
