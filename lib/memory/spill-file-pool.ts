import { join } from 'node:path';
import type { OpenSpillFile, SpillIo } from './spill-file.ts';

/**
 * Open files for spills to be written into, so that a write is one `writev` and never waits for an
 * `open` (each awaited operation costs a step's worth of time in a busy run, see `spill-file.ts`):
 *
 * - *pooled* files of freed refs, kept open and renamed `free-N.spill` (the ref's own name is gone at
 *   once), to be overwritten in place. Why: on this machine's ext4 (mounted with `discard`), writing
 *   new 16 MiB files and later deleting them sustains ~1.2-1.4 GB/s, with each delete holding a
 *   thread-pool thread ~10 ms, while overwriting existing files sustains ~3 GB/s. A spill workload
 *   frees about one file for each one it writes, so a small pool suffices. Bounded by `maxFiles` and
 *   `maxBytes`; a file beyond either is closed and deleted at once.
 * - *spares*: a few fresh empty temp files opened ahead of need, for when no pooled file is left.
 *
 * A file taken belongs to its taker. Does not cover what goes in a file (see `spill-file.ts`) nor
 * which ref is freed when (see `SpillStore`). No method throws; `open` rejects as the `open` call does.
 */
export interface SpillFilePoolOptions {
  readonly directory: string;
  readonly io: SpillIo;
  /** Most files kept. Default 8. */
  readonly maxFiles?: number;
  /** Most bytes kept. Default 256 MiB. */
  readonly maxBytes?: number;
  /** Fresh temp files kept open ahead of need. Default 2. */
  readonly spares?: number;
}

export class SpillFilePool {
  readonly #options: SpillFilePoolOptions;
  readonly #maxFiles: number;
  readonly #maxBytes: number;
  readonly #spareCount: number;
  readonly #files: OpenSpillFile[] = [];
  readonly #spares: OpenSpillFile[] = [];
  /** Renames, opens and deletes in flight, awaited by `clear`. */
  readonly #pending = new Set<Promise<void>>();
  /** Bytes pooled or being renamed into the pool. */
  #bytes = 0;
  #count = 0;
  #opening = 0;
  #next = 0;
  #cleared = false;

  constructor(options: SpillFilePoolOptions) {
    this.#options = options;
    this.#maxFiles = options.maxFiles ?? 8;
    this.#maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.#spareCount = options.spares ?? 2;
  }

  /** Bytes of the files in the pool (they are on disk, but hold no ref's data). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Files open now: pooled and spare. */
  get openFiles(): number {
    return this.#files.length + this.#spares.length;
  }

  /** Takes over a freed ref's file, still open: pools it if there is room, else closes and deletes it. */
  retire(file: OpenSpillFile): void {
    if (this.#cleared || this.#count >= this.#maxFiles || this.#bytes + file.bytes > this.#maxBytes) {
      this.#track(this.#discard(file));
      return;
    }
    this.#count++;
    this.#bytes += file.bytes;
    const pooled = { ...file, path: this.#name('free', '.spill') };
    const renamed = this.#options.io.rename(file.path, pooled.path).then(
      () => {
        if (this.#cleared) return this.#discard(pooled);
        this.#files.push(pooled);
        return undefined;
      },
      () => {
        this.#release(file.bytes); // the file is gone (or unmovable): nothing to pool
        return this.#discard(file);
      },
    );
    this.#track(renamed);
  }

  /**
   * An open file to write about `bytes` into: the smallest pooled file large enough, else the largest,
   * else a spare (and more spares are opened in the background); undefined if none is ready.
   */
  take(bytes: number): OpenSpillFile | undefined {
    if (this.#files.length === 0) {
      const spare = this.#spares.shift();
      this.#refill();
      return spare;
    }
    let best = 0;
    for (let i = 1; i < this.#files.length; i++) {
      const candidate = this.#files[i] as OpenSpillFile;
      const current = this.#files[best] as OpenSpillFile;
      const fits = candidate.bytes >= bytes;
      if (current.bytes >= bytes ? fits && candidate.bytes < current.bytes : candidate.bytes > current.bytes) best = i;
    }
    const [taken] = this.#files.splice(best, 1) as [OpenSpillFile];
    this.#release(taken.bytes);
    return taken;
  }

  /** A fresh temp file, opened now (for when `take` had none ready). */
  async open(): Promise<OpenSpillFile> {
    const path = this.#name('new', '.spill.tmp');
    return { path, handle: await this.#options.io.open(path, 'w'), bytes: 0 };
  }

  /** Closes and deletes every pooled and spare file, after the operations in flight. No more are kept. */
  async clear(): Promise<void> {
    this.#cleared = true;
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    for (const file of [...this.#files.splice(0), ...this.#spares.splice(0)]) this.#track(this.#discard(file));
    this.#bytes = 0;
    this.#count = 0;
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #refill(): void {
    while (!this.#cleared && this.#spares.length + this.#opening < this.#spareCount) {
      this.#opening++;
      const opened = this.open().then(
        (file) => {
          this.#opening--;
          if (this.#cleared) return this.#discard(file);
          this.#spares.push(file);
          return undefined;
        },
        () => void this.#opening--, // the writer that needs a file opens one itself and meets the error
      );
      this.#track(opened);
    }
  }

  #name(kind: string, suffix: string): string {
    return join(this.#options.directory, `${kind}-${++this.#next}${suffix}`);
  }

  async #discard(file: OpenSpillFile): Promise<void> {
    await file.handle.close().catch(() => {});
    await this.#options.io.unlink(file.path).catch(() => {}); // already gone: nothing to free
  }

  #release(bytes: number): void {
    this.#count--;
    this.#bytes -= bytes;
  }

  #track(done: Promise<void>): void {
    this.#pending.add(done);
    void done.finally(() => this.#pending.delete(done));
  }
}
