/**
 * The demo's clock: epoch ms for freshness checks and the token server's expiry, plus XState's
 * SimulatedClock for the machines' timers, moved together. Hours of token life pass in an
 * instant, so the demo shows refresh windows and cooldowns without waiting for them.
 */
import { SimulatedClock } from 'xstate';

export class DemoClock {
  readonly timers = new SimulatedClock();
  private ms: number;

  constructor(start = Date.now()) {
    this.ms = start;
    this.timers.set(start);
  }

  now = (): number => this.ms;

  /** Time passes; timers that fall due fire. */
  advance(ms: number): void {
    this.ms += ms;
    this.timers.increment(ms);
  }
}
