/**
 * Calls that `withAuth` saw rejected with the old token and that wait for the recovery to
 * retry them once. The machine's `retrying` state hands them the new token through
 * `releaseForRetry` and waits for their outcomes; a recovery that ends another way releases
 * them with the new token (`valid`) or fails them (`cooldown`, `stop`).
 */
import { createDeferred, type Deferred } from '../deferred.js';

/** How a call's single retry with the recovered token ended. */
export type RetryOutcome = 'succeeded' | 'rejected' | 'failed';

interface PendingCall {
  /** Settles with the token to retry with, or the error that ended the recovery. */
  token: Deferred<string>;
  /** Settles with the retry's outcome. */
  outcome: Deferred<RetryOutcome>;
}

/** The calls waiting for a recovery to hand them a token for their one retry. */
export class PendingCalls {
  private waiting: PendingCall[] = [];

  /** How many calls wait. */
  get size(): number {
    return this.waiting.length;
  }

  /**
   * Registers a rejected call. Returns the token promise it waits on and a reporter it must
   * call with the outcome of its single retry.
   */
  register(): { token: Promise<string>; report: (outcome: RetryOutcome) => void } {
    const call: PendingCall = { token: createDeferred<string>(), outcome: createDeferred<RetryOutcome>() };
    this.waiting.push(call);
    return { token: call.token.promise, report: call.outcome.resolve };
  }

  /** Hands every waiting call the new token and resolves with how many were rejected again. */
  async releaseForRetry(token: string, timeoutMs = 60_000): Promise<{ rejected: number; retried: number }> {
    const calls = this.take();
    for (const call of calls) call.token.resolve(token);
    // A retry that never settles must not hold the machine in `retrying`: it counts as failed.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<RetryOutcome>((resolve) => {
      timer = setTimeout(() => resolve('failed'), timeoutMs);
      timer.unref?.();
    });
    const outcomes = await Promise.all(calls.map((call) => Promise.race([call.outcome.promise, timedOut])));
    clearTimeout(timer);
    return { rejected: outcomes.filter((outcome) => outcome === 'rejected').length, retried: calls.length };
  }

  /** The recovery ended in `valid` without a retry step: the calls retry on their own. */
  releaseAll(token: string): void {
    for (const call of this.take()) call.token.resolve(token);
  }

  /** The recovery ended without a token (cooldown, stop): every waiting call fails with `error`. */
  failAll(error: unknown): void {
    for (const call of this.take()) call.token.reject(error);
  }

  private take(): PendingCall[] {
    const calls = this.waiting;
    this.waiting = [];
    return calls;
  }
}
