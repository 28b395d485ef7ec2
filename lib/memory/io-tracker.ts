/**
 * The I/O a store has started: whether any is in flight, how long at least one was (the union of
 * their intervals: the spill rate the benchmark prints), and a way to wait until none is. Mechanism
 * only: it knows nothing of what the operations do. Never throws.
 */
export class IoTracker {
  readonly #pending = new Set<Promise<unknown>>();
  #inFlight = 0;
  #busySince = 0;
  #busyMs = 0;

  /** True while an operation is in flight. */
  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /** Wall time with at least one operation in flight, the current stretch included. */
  get busyMs(): number {
    return this.#busyMs + (this.#inFlight > 0 ? performance.now() - this.#busySince : 0);
  }

  /** Counts `io` until it settles; returns it as it settles (a rejection passes through). */
  track<T>(io: Promise<T>): Promise<T> {
    if (this.#inFlight++ === 0) this.#busySince = performance.now();
    const settled = io.finally(() => {
      if (--this.#inFlight === 0) this.#busyMs += performance.now() - this.#busySince;
    });
    const quiet = settled.catch(() => {});
    this.#pending.add(quiet);
    void quiet.finally(() => this.#pending.delete(quiet));
    return settled;
  }

  /**
   * Resolves once nothing is in flight, operations started meanwhile included; `beforeWait` runs
   * before each wait (e.g. to skip queued work). Never rejects.
   */
  async settled(beforeWait?: () => void): Promise<void> {
    while (this.#pending.size > 0) {
      beforeWait?.();
      await Promise.allSettled([...this.#pending]);
    }
  }
}
