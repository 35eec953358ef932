/**
 * The machine's bounds on work, as pure functions of its context and the clock: the minimum
 * interval between token requests, "refreshing does not help" after fresh tokens keep being
 * rejected, the issue time that lets the refresh point scale with a token's lifetime, and a
 * persisted cooldown that defers the refresh of a token that still works. `recovery.setup.ts`
 * wires them into guards and actions.
 */
import { earliestTokenRequestAt } from './policies.js';
import type { CredentialView, RecoveryContext } from './recovery.types.js';

/** At least `minRefreshIntervalMs` (epoch ms `now`) since the last token request started, or none yet. */
export function mayRequestToken(context: RecoveryContext, now: number): boolean {
  return now >= earliestTokenRequestAt(context.lastRefreshAt, context.policy);
}

/**
 * One more rejection of a token fresh from a recovery (no call succeeded with it) reaches
 * `maxRetries` such rejections in a row: refreshing does not help (every call fails whatever
 * the token), so the machine cools down instead of spending another refresh token.
 */
export function refreshDoesNotHelp(context: RecoveryContext): boolean {
  return !context.tokenProven && context.unprovenRejections + 1 >= context.policy.maxRetries;
}

/** The rejection counts towards `refreshDoesNotHelp` only while the token is unproven. */
export function countRejection(context: RecoveryContext): number {
  return context.unprovenRejections + (context.tokenProven ? 0 : 1);
}

/**
 * The cooldown after refreshing did not help: its consecutive count keeps growing with every
 * further useless refresh (the recovery in between would otherwise reset it to the first length).
 */
export function refreshNotHelping(context: RecoveryContext): Partial<RecoveryContext> {
  return {
    lastError: 'rejectedAgain',
    lastErrorMessage: 'rejectedAfterRefresh',
    consecutiveCooldowns: Math.max(
      context.consecutiveCooldowns,
      context.unprovenRejections - context.policy.maxRetries,
    ),
  };
}

/** A credential a recovery just brought, stamped with when we got it (epoch ms) unless the actor said. */
export function withIssueTime(credential: CredentialView | null, at: number): CredentialView | null {
  // A provided actor may still resolve with nothing: keep that as no credential.
  if (!credential) return null;
  return credential.issuedAt === undefined ? { ...credential, issuedAt: at } : credential;
}

/**
 * A persisted cooldown while our token still works: the token is served, and its refresh waits
 * for the (clamped) deadline instead of the machine sitting in `cooldown`.
 */
export function deferToStoredCooldown(context: RecoveryContext, now: number): Partial<RecoveryContext> {
  // Stryker disable next-line ConditionalExpression: equivalent — `null > now` is false, so the null test only narrows the type.
  return context.cooldownUntil !== null && context.cooldownUntil > now
    ? { refreshNotBefore: context.cooldownUntil, cooldownUntil: null }
    : {};
}
