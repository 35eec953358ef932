/**
 * Time moved by hand, for the demo and the test suites: epoch ms for freshness checks and the
 * token server's expiry, plus XState's SimulatedClock for the machines' timers, moved together.
 * Hours of token life pass in an instant, so a refresh window or a cooldown takes no wall time.
 */
import { SimulatedClock } from 'xstate';

/** XState's SimulatedClock that also knows when each pending timer is due (its own time, ms). */
export class DueTimerClock extends SimulatedClock {
  private readonly due = new Map<number, number>();

  override setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const id = super.setTimeout((...args: unknown[]) => {
      this.due.delete(id);
      fn(...args);
    }, timeout);
    this.due.set(id, this.now() + timeout);
    return id;
  }

  override clearTimeout(id: number): void {
    this.due.delete(id);
    super.clearTimeout(id);
  }

  /** How many timers are waiting to fire. */
  pendingTimers(): number {
    return this.due.size;
  }

  /** The earliest due time of a pending timer (this clock's ms), or undefined when none is pending. */
  nextDue(): number | undefined {
    return this.due.size === 0 ? undefined : Math.min(...this.due.values());
  }
}

/**
 * Epoch-ms time (`now`) and the machines' timers (`timers`, handed to XState as `clock`),
 * moved only by `advance`, `jump` and `fireNextTimer`.
 */
export class ManualClock {
  /** Pass as `clock` to `createActor`/`createAuthRecovery`; fires only when time is advanced. */
  readonly timers = new DueTimerClock();
  private ms: number;

  /** @param start epoch ms the clock starts at (default: the wall clock now). */
  constructor(start = Date.now()) {
    this.ms = start;
    this.timers.set(start);
  }

  /** The current time, epoch ms. Bound, so it can be passed as a `now` option. */
  now = (): number => this.ms;

  /** Time passes by `ms`; timers that fall due fire. */
  advance(ms: number): void {
    this.ms += ms;
    this.timers.increment(ms);
  }

  /** Time passes by `ms` but no timer fires (a host asleep, a blocked event loop). */
  jump(ms: number): void {
    this.ms += ms;
  }

  /**
   * Advances to the earliest pending timer and fires it; returns the ms advanced.
   * @throws Error when no timer is pending (the machine scheduled no delayed transition).
   */
  fireNextTimer(): number {
    const next = this.timers.nextDue();
    if (next === undefined)
      throw new Error('no timer is pending: the machine scheduled no delayed transition');
    const step = Math.max(0, next - this.timers.now());
    this.advance(step);
    return step;
  }
}
