/**
 * How much the process's resident memory (RSS) has grown since a starting point: the MECHANISM a
 * memory policy reads when its budget covers the whole process (`MemoryPolicy`'s `processGrowth`
 * hook). It decides nothing.
 *
 * Reading RSS costs ~14 µs (`process.memoryUsage.rss()` reads `/proc/self/stat` on Linux), and a
 * policy asks at every put, read and step end, so a reading is reused for `everyMs`.
 *
 * Not covered: which thread grew (RSS is the whole process's, so a process with several budgeted
 * stores, as the cluster runner's hosts, must not give each of them this); memory swapped out.
 * Never throws.
 */
export class ProcessGrowth {
  readonly #read: () => number;
  readonly #now: () => number;
  readonly #everyMs: number;
  readonly #start: number;
  #last: number;
  #readAt: number;

  /** `read` and `now` are seams for tests. */
  constructor(everyMs = 10, read: () => number = () => process.memoryUsage.rss(), now: () => number = () => performance.now()) {
    this.#read = read;
    this.#now = now;
    this.#everyMs = everyMs;
    this.#start = read();
    this.#last = this.#start;
    this.#readAt = now();
  }

  /** Bytes of RSS gained since construction (negative if it shrank), as of at most `everyMs` ago. */
  bytes(): number {
    const now = this.#now();
    if (now - this.#readAt >= this.#everyMs) {
      this.#last = this.#read();
      this.#readAt = now;
    }
    return this.#last - this.#start;
  }
}
