/**
 * Waiting on something that arrives in pieces (a child's output, SSE or WebSocket messages):
 * the source calls `notify()` on each arrival, and `waitFor` re-checks its condition then, never
 * by polling. A timeout turns "never happened" into a failure that says what was seen.
 */
export interface Arrivals {
  /** Re-checks every pending condition; call it whenever something arrived. */
  notify(): void;
  /**
   * Resolves when `condition` holds; rejects with `failure()` when that returns an error first
   * (e.g. the process exited), or with `timeoutMessage()` after `timeoutMs`.
   */
  waitFor(options: {
    condition: () => boolean;
    timeoutMs: number;
    timeoutMessage: () => string;
    failure?: () => Error | undefined;
  }): Promise<void>;
}

export function createArrivals(): Arrivals {
  const waiters = new Set<() => void>();
  return {
    notify() {
      for (const waiter of waiters) waiter();
    },
    waitFor({ condition, timeoutMs, timeoutMessage, failure }) {
      return new Promise((resolve, reject) => {
        const finish = (error?: Error) => {
          waiters.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (condition()) return finish();
          const error = failure?.();
          if (error) finish(error);
        };
        const timer = setTimeout(() => finish(new Error(timeoutMessage())), timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Messages received in order, and a wait for a condition on them (checked on each arrival). */
export interface MessageLog<T> {
  /** Every message received so far, in order. */
  readonly messages: T[];
  /** Adds one message and re-checks the pending waits. */
  push(message: T): void;
  /** Re-checks the pending waits (after messages were added some other way). */
  notify(): void;
  /** Resolves with the messages once `predicate` holds for them; rejects after `timeoutMs`. */
  waitFor(predicate: (messages: T[]) => boolean, timeoutMs?: number): Promise<T[]>;
}

export function createMessageLog<T>(): MessageLog<T> {
  const messages: T[] = [];
  const arrivals = createArrivals();
  return {
    messages,
    push(message) {
      messages.push(message);
      arrivals.notify();
    },
    notify: () => arrivals.notify(),
    async waitFor(predicate, timeoutMs = 10_000) {
      await arrivals.waitFor({
        condition: () => predicate(messages),
        timeoutMs,
        timeoutMessage: () => `timed out after ${timeoutMs} ms with ${messages.length} messages`,
      });
      return messages;
    },
  };
}
