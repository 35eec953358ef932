/**
 * Store work in flight (usage stats, a refresh or sync that must still save what it got),
 * which `stop()` and `whenIdle()` wait for. The outcome of each piece of work belongs to
 * whoever started it; this only waits for it to settle.
 */
export class InflightWork {
  private readonly settling = new Set<Promise<void>>();

  /** How many pieces of work have not settled yet. */
  get size(): number {
    return this.settling.size;
  }

  /** Waits on `work` from `whenIdle()`; returns `work` itself, so callers keep its outcome. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.settling.add(settled);
    void settled.finally(() => this.settling.delete(settled));
    return work;
  }

  /** Resolves once nothing is in flight, including work started while waiting. Never rejects. */
  async whenIdle(): Promise<void> {
    while (this.settling.size > 0) await Promise.all([...this.settling]);
  }
}
