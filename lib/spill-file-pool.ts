import { join } from 'node:path';
import type { SpillIo } from './spill-file.ts';

/**
 * Files of freed refs, kept (renamed `free-N.spill`) to be overwritten by later spills instead of
 * deleted. Why: on this machine's ext4 (mounted with `discard`), writing a new 16 MiB file, fsyncing
 * it and later deleting it sustains ~1.2-1.4 GB/s with the deletes taking ~10 ms of a thread-pool
 * thread each, while overwriting an existing file in place sustains ~3 GB/s: no block allocation, no
 * discard. A spill workload frees about one file for each one it writes, so a small pool suffices.
 *
 * Bounded by `maxFiles` and `maxBytes`; a file beyond either is deleted at once. A pooled file belongs
 * to no ref: the freed ref's own file name is gone as soon as it is pooled. Does not cover what goes in
 * a file (see `spill-file.ts`) nor which ref is freed when (see `SpillStore`). No method throws.
 */
export interface PooledFile {
  readonly file: string;
  readonly bytes: number;
}

export interface SpillFilePoolOptions {
  readonly directory: string;
  readonly io: SpillIo;
  /** Most files kept. Default 8. */
  readonly maxFiles?: number;
  /** Most bytes kept. Default 256 MiB. */
  readonly maxBytes?: number;
}

export class SpillFilePool {
  readonly #options: SpillFilePoolOptions;
  readonly #maxFiles: number;
  readonly #maxBytes: number;
  readonly #files: PooledFile[] = [];
  /** Renames and deletes in flight, awaited by `clear`. */
  readonly #pending = new Set<Promise<void>>();
  /** Bytes pooled or being renamed into the pool. */
  #bytes = 0;
  #count = 0;
  #next = 0;

  constructor(options: SpillFilePoolOptions) {
    this.#options = options;
    this.#maxFiles = options.maxFiles ?? 8;
    this.#maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  /** Bytes of the files in the pool (they are on disk, but hold no ref's data). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Takes over a freed ref's file: pools it if there is room, else deletes it. */
  retire(file: string, bytes: number): void {
    if (this.#count >= this.#maxFiles || this.#bytes + bytes > this.#maxBytes) {
      this.#track(this.#options.io.unlink(file).catch(() => {})); // already gone: nothing to free
      return;
    }
    this.#count++;
    this.#bytes += bytes;
    const pooled = join(this.#options.directory, `free-${++this.#next}.spill`);
    const renamed = this.#options.io.rename(file, pooled).then(
      () => void this.#files.push({ file: pooled, bytes }),
      () => this.#release(bytes), // the file is gone (or unmovable): nothing to pool
    );
    this.#track(renamed);
  }

  /** A pooled file to overwrite with about `bytes`: the smallest that is large enough, else the largest. */
  take(bytes: number): PooledFile | undefined {
    if (this.#files.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.#files.length; i++) {
      const candidate = this.#files[i] as PooledFile;
      const current = this.#files[best] as PooledFile;
      const fits = candidate.bytes >= bytes;
      if (current.bytes >= bytes ? fits && candidate.bytes < current.bytes : candidate.bytes > current.bytes) best = i;
    }
    const [taken] = this.#files.splice(best, 1) as [PooledFile];
    this.#release(taken.bytes);
    return taken;
  }

  /** Deletes every pooled file, after the renames in flight. */
  async clear(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    for (const pooled of this.#files.splice(0)) {
      this.#release(pooled.bytes);
      this.#track(this.#options.io.unlink(pooled.file).catch(() => {}));
    }
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
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
