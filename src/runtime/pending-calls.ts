/**
 * Calls that `withAuth` saw rejected with the old token and that wait for the recovery to
 * retry them once. The machine's `retrying` state hands them the new token through
 * `releaseForRetry` and waits for their outcomes; a recovery that ends another way releases
 * them with the new token (`valid`) or fails them (`cooldown`, `stop`).
 */

export type RetryOutcome = 'succeeded' | 'rejected' | 'failed';

interface PendingCall {
  resolveToken(token: string): void;
  rejectToken(error: unknown): void;
  /** Set once the call was handed a token; settles with the retry's outcome. */
  outcome?: Promise<RetryOutcome>;
  reportOutcome?: (outcome: RetryOutcome) => void;
}

export class PendingCalls {
  private waiting: PendingCall[] = [];

  get size(): number {
    return this.waiting.length;
  }

  /**
   * Registers a rejected call. Returns the token promise it waits on and a reporter it must
   * call with the outcome of its single retry.
   */
  register(): { token: Promise<string>; report: (outcome: RetryOutcome) => void } {
    let call!: PendingCall;
    const token = new Promise<string>((resolve, reject) => {
      call = { resolveToken: resolve, rejectToken: reject };
    });
    let report: (outcome: RetryOutcome) => void = () => undefined;
    call.outcome = new Promise<RetryOutcome>((resolve) => {
      report = resolve;
    });
    call.reportOutcome = report;
    this.waiting.push(call);
    return { token, report };
  }

  /** Hands every waiting call the new token and resolves with how many were rejected again. */
  async releaseForRetry(token: string, timeoutMs = 60_000): Promise<{ rejected: number; retried: number }> {
    const calls = this.take();
    for (const call of calls) call.resolveToken(token);
    // A retry that never settles must not hold the machine in `retrying`: it counts as failed.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<RetryOutcome>((resolve) => {
      timer = setTimeout(() => resolve('failed'), timeoutMs);
      timer.unref?.();
    });
    const outcomes = await Promise.all(
      calls.map((call) => Promise.race([call.outcome as Promise<RetryOutcome>, timedOut])),
    );
    clearTimeout(timer);
    return { rejected: outcomes.filter((outcome) => outcome === 'rejected').length, retried: calls.length };
  }

  /** The recovery ended in `valid` without a retry step: the calls retry on their own. */
  releaseAll(token: string): void {
    for (const call of this.take()) call.resolveToken(token);
  }

  failAll(error: unknown): void {
    for (const call of this.take()) call.rejectToken(error);
  }

  private take(): PendingCall[] {
    const calls = this.waiting;
    this.waiting = [];
    return calls;
  }
}
