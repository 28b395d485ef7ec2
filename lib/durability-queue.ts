/**
 * Runs the background tasks that make written spill files durable (cut, `fdatasync`, rename), a few at
 * a time, and lets a writer wait while too many are queued. Why a queue: each sync holds a thread of
 * libuv's pool (4 by default) for as long as the device takes, so unbounded syncs would starve the
 * reads and writes the steps wait for; and the data not yet synced sits as dirty page cache, so a
 * writer that outpaces the disk must be slowed down, not let run ahead without bound.
 *
 * Mechanism only: it does not know what a task does. `schedule` never throws; the promise it returns
 * settles as the task does.
 */
export class DurabilityQueue {
  readonly #concurrency: number;
  readonly #waiting: (() => void)[] = [];
  readonly #settled = new Set<() => void>();
  #running = 0;
  #queued = 0;

  constructor(concurrency = 2) {
    this.#concurrency = Math.max(1, concurrency);
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.#queued;
  }

  schedule(task: () => Promise<void>): Promise<void> {
    this.#queued++;
    return new Promise<void>((resolve, reject) => {
      const start = (): void => {
        this.#running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.#running--;
            this.#queued--;
            this.#waiting.shift()?.();
            for (const wake of [...this.#settled]) wake();
          });
      };
      if (this.#running < this.#concurrency) start();
      else this.#waiting.push(start);
    });
  }

  /** Resolves once at most `limit` tasks are pending (at once if so already). Never rejects. */
  async below(limit: number): Promise<void> {
    while (this.#queued > limit) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.#settled.delete(wake);
          resolve();
        };
        this.#settled.add(wake);
      });
    }
  }

  /** Resolves once nothing is pending. Never rejects. */
  drained(): Promise<void> {
    return this.below(0);
  }
}
