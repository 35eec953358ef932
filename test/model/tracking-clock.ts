import { SimulatedClock } from 'xstate';

/**
 * XState's SimulatedClock, plus knowledge of when its pending timers are due, so a test can
 * fire "the next delayed transition" exactly, without knowing the delay's arithmetic and
 * without jumping past a timer the machine schedules next.
 */
export class TrackingClock extends SimulatedClock {
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

  pendingTimers(): number {
    return this.due.size;
  }

  /** Advances the clock to the earliest pending timer and fires it; returns the ms advanced. */
  fireNextTimer(): number {
    if (this.due.size === 0)
      throw new Error('no timer is pending: the machine scheduled no delayed transition');
    const next = Math.min(...this.due.values());
    const step = Math.max(0, next - this.now());
    this.increment(step);
    return step;
  }
}
