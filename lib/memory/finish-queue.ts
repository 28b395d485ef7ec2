/**
 * Runs the background tasks that finish written spill files (cut to size, `fdatasync` when the files
 * outlive the run, rename), a few at a time, and lets a writer wait while too many are queued. Why a
 * queue: a sync holds a thread of libuv's pool (4 by default) for as long as the device takes, so
 * unbounded syncs would starve the reads and writes the steps wait for; and data not yet synced sits
 * as dirty page cache, so a writer that outpaces a syncing disk must be slowed down.
 *
 * Mechanism only: it does not know what a task does. `schedule` never throws; the promise it returns
 * settles as the task does (true), or resolves false if the task was skipped (`skipQueued`).
 */
export class FinishQueue {
  readonly #concurrency: number;
  readonly #waiting: { start: () => void; skip: () => void }[] = [];
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

  schedule(task: () => Promise<void>): Promise<boolean> {
    this.#queued++;
    return new Promise<boolean>((resolve, reject) => {
      const start = (): void => {
        this.#running++;
        task()
          .then(() => resolve(true), reject)
          .finally(() => {
            this.#running--;
            this.#done();
          });
      };
      const skip = (): void => {
        resolve(false);
        this.#done();
      };
      if (this.#running < this.#concurrency) start();
      else this.#waiting.push({ start, skip });
    });
  }

  /**
   * Resolves every task not started yet with false, without running it (its file is about to be
   * deleted, so finishing it would be wasted work). Tasks running go on.
   */
  skipQueued(): void {
    for (const { skip } of this.#waiting.splice(0)) skip();
  }

  #done(): void {
    this.#queued--;
    this.#waiting.shift()?.start();
    for (const wake of [...this.#settled]) wake();
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
