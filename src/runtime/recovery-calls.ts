/**
 * The calls an agent makes: `getAccessToken` (the hot path), `withAuth` (one retry after an
 * auth rejection), `reportAuthFailure`, and the operator's `refresh` and `sync`.
 */
import { fingerprintToken } from '../credentials/fingerprint.js';
import { CooldownError, RefreshError } from '../errors.js';
import { describeAuthRejection } from '../oauth/auth-rejection.js';
import type { AuthRecovery } from './auth-recovery.js';
import type { MachineHandle } from './machine-handle.js';
import type { PendingCalls } from './pending-calls.js';
import type { ResolvedRuntimeOptions } from './resolve-options.js';
import type { AuthRecoverySnapshot } from './snapshot.js';
import type { TokenGate } from './token-gate.js';

/** What the calls need from the runtime. */
export interface RecoveryCallsDeps {
  options: ResolvedRuntimeOptions;
  handle: MachineHandle;
  gate: TokenGate;
  pending: PendingCalls;
  snapshot(): AuthRecoverySnapshot;
}

/** The token-serving half of `AuthRecovery`. */
export type RecoveryCalls = Pick<
  AuthRecovery,
  'getAccessToken' | 'withAuth' | 'reportAuthFailure' | 'refresh' | 'sync'
>;

/** Builds the calls over one runtime's gate and machine. */
export function createRecoveryCalls(deps: RecoveryCallsDeps): RecoveryCalls {
  const { options, handle, gate, pending } = deps;
  const { logger, isRejection } = options;
  const waitForToken = (): Promise<string> => gate.waitForToken(() => handle.context?.cooldownUntil ?? null);

  /** Hot path: while valid, one clock read and the cached promise; no I/O, no lock, no allocation. */
  function getAccessToken(): Promise<string> {
    return gate.cached() ?? recoverAccessToken();
  }

  async function recoverAccessToken(): Promise<string> {
    const running = handle.require();
    // Valid by the machine but expired by the clock (e.g. the host slept past the timer).
    if (gate.state === 'valid') running.send({ type: 'TOKEN_EXPIRED' });
    return waitForToken();
  }

  function reportAuthFailure(error: unknown): boolean {
    if (!isRejection(error)) return false;
    const { status, message } = describeAuthRejection(error);
    handle.require().send({ type: 'AUTH_REJECTED', status, message });
    return true;
  }

  /** `fn` succeeded with `token`: the first success with a token a recovery brought is reported once. */
  function succeeded<T>(token: string, result: T): T {
    if (gate.accepted(token) && !handle.stopped) handle.actor?.send({ type: 'TOKEN_ACCEPTED' });
    return result;
  }

  async function withAuth<T>(fn: (accessToken: string) => Promise<T> | T): Promise<T> {
    const token = await getAccessToken();
    try {
      return succeeded(token, await fn(token));
    } catch (error) {
      if (!isRejection(error)) throw error;
      // Someone already recovered while this call was in flight: just use the new token.
      if (gate.state === 'valid' && gate.token !== undefined && gate.token !== token) {
        const current = gate.token;
        return succeeded(current, await fn(current));
      }
      if (gate.state === 'cooldown') throw error;
      const call = pending.register();
      const { status, message } = describeAuthRejection(error);
      logger.debug(
        { event: 'authRejected', status, message, fingerprint: fingerprintToken(token) },
        'call rejected',
      );
      handle.require().send({ type: 'AUTH_REJECTED', status, message });
      const retryToken = await call.token;
      try {
        const result = await fn(retryToken);
        call.report('succeeded');
        return succeeded(retryToken, result);
      } catch (retryError) {
        call.report(isRejection(retryError) ? 'rejected' : 'failed');
        throw retryError;
      }
    }
  }

  async function refresh(): Promise<string> {
    const running = handle.require();
    if (gate.state === 'valid') running.send({ type: 'TOKEN_EXPIRED' });
    const token = await waitForToken();
    // Back in `valid` after a failed recovery (the old token still works and is kept): a
    // forced refresh did not happen, so say why instead of returning the old token.
    const { lastError, lastErrorMessage, credential } = deps.snapshot();
    if (lastError !== null) {
      const kept = credential ? new Date(credential.expiresAt).toISOString() : 'its expiry';
      throw new RefreshError(
        lastError === 'transient' ? 'transient' : 'permanent',
        `the refresh failed (${lastErrorMessage ?? lastError}); the current token still works and is kept until ${kept}`,
      );
    }
    return token;
  }

  async function sync(): Promise<AuthRecoverySnapshot> {
    handle.require().send({ type: 'SYNC_REQUESTED' });
    try {
      await waitForToken();
    } catch (error) {
      if (!(error instanceof CooldownError)) throw error;
    }
    return deps.snapshot();
  }

  return { getAccessToken, withAuth, reportAuthFailure, refresh, sync };
}
