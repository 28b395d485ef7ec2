/**
 * A few words of shared memory per host thread, written by the host and read by the coordinator
 * without a message: which unit's step the host is running and since when, and the host's buffer
 * memory as it last measured it. A message cannot carry this: a host busy in a step (a `for(;;){}`, an
 * allocation storm) answers none, and that is exactly when the coordinator must know. The host also
 * writes its thread ids, so the coordinator can find its thread (to terminate it) and its page faults.
 *
 * Only worker threads share memory with the coordinator: a Slurm host process has no gauge (the
 * coordinator then times steps from the call and cannot see the host's memory).
 *
 * It does not decide anything (the step watchdog and the memory guard do).
 */

/** Word offsets in the shared Int32Array. Times are milliseconds since the gauge's `epoch`. */
const Word = { StepToken: 0, StepStarted: 1, MemoryAt: 2, MemoryKiB: 3, OsThreadId: 4, ThreadId: 5, Length: 6 } as const;

/** What crosses to the host with its task (a SharedArrayBuffer is shared, not copied). */
export interface GaugeHandle {
  readonly buffer: SharedArrayBuffer;
  readonly epoch: number;
}

export class HostGauge {
  readonly buffer: SharedArrayBuffer;
  readonly epoch: number;
  readonly #words: Int32Array;

  static create(): HostGauge {
    return new HostGauge({ buffer: new SharedArrayBuffer(Word.Length * 4), epoch: Date.now() });
  }

  constructor(handle: GaugeHandle) {
    this.buffer = handle.buffer;
    this.epoch = handle.epoch;
    this.#words = new Int32Array(handle.buffer);
  }

  get handle(): GaugeHandle {
    return { buffer: this.buffer, epoch: this.epoch };
  }

  // ---- written by the host ----

  /** The host starts the step of the unit at `path` (after any step queued before it). */
  beginStep(path: string): void {
    Atomics.store(this.#words, Word.StepToken, 0);
    Atomics.store(this.#words, Word.StepStarted, this.#now());
    Atomics.store(this.#words, Word.StepToken, stepToken(path));
  }

  endStep(): void {
    Atomics.store(this.#words, Word.StepToken, 0);
  }

  /** The host's ArrayBuffer bytes (`process.memoryUsage().arrayBuffers`, which is per thread). */
  publishMemory(bytes: number): void {
    Atomics.store(this.#words, Word.MemoryKiB, Math.min(0x7fffffff, Math.ceil(bytes / 1024)));
    Atomics.store(this.#words, Word.MemoryAt, this.#now());
  }

  /** Node's `threadId` of the host's thread and the OS thread id (0 where unknown). */
  identify(threadId: number, osThreadId: number): void {
    Atomics.store(this.#words, Word.ThreadId, threadId);
    Atomics.store(this.#words, Word.OsThreadId, osThreadId);
  }

  // ---- read by the coordinator ----

  /** The step running now: its token and when it started (epoch ms); undefined when idle or mid-write. */
  runningStep(): { readonly token: number; readonly startedAt: number } | undefined {
    const before = Atomics.load(this.#words, Word.StepToken);
    const started = Atomics.load(this.#words, Word.StepStarted);
    const after = Atomics.load(this.#words, Word.StepToken);
    if (before === 0 || before !== after) return undefined;
    return { token: before, startedAt: this.epoch + started };
  }

  /** The host's buffer bytes as last published, and when (epoch ms); undefined before the first. */
  memory(): { readonly bytes: number; readonly at: number } | undefined {
    const at = Atomics.load(this.#words, Word.MemoryAt);
    if (at === 0) return undefined;
    return { bytes: Atomics.load(this.#words, Word.MemoryKiB) * 1024, at: this.epoch + at };
  }

  get threadId(): number {
    return Atomics.load(this.#words, Word.ThreadId);
  }

  get osThreadId(): number {
    return Atomics.load(this.#words, Word.OsThreadId);
  }

  #now(): number {
    return Math.max(1, Date.now() - this.epoch); // 0 means "never"
  }
}

/** A unit path's 32-bit FNV-1a hash, never 0: what the gauge records for the step running. */
export function stepToken(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h === 0 ? 1 : h | 0;
}
