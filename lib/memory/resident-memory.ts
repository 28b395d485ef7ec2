import { BufferPool } from './buffer-pool.ts';

/**
 * The resident-bytes count of a spilling store, and the memory it keeps for recycling: bytes of
 * entries in memory, bytes held outside any entry (values units took, scratch arrays), the spare
 * buffers kept for reads and scratch (`BufferPool`, counted), and freed values whose write or read is
 * still in flight (counted until it ends, then their buffers become spare ones). Mechanism only: what
 * to drop or let go of is `MemoryPolicy`'s decision, which entries exist is `SpillStore`'s. Never throws.
 */
export class ResidentMemory {
  readonly #spare = new BufferPool();
  readonly #recycling = new Set<Promise<unknown>>();
  #bytes = 0;
  #peak = 0;

  /** Resident bytes now. */
  get bytes(): number {
    return this.#bytes;
  }
  /** The most resident bytes so far. */
  get peak(): number {
    return this.#peak;
  }
  /** Bytes of spare buffers kept for recycling (part of `bytes`). */
  get spareBytes(): number {
    return this.#spare.bytes;
  }
  /** I/O in flight of freed values still counted: when it ends, their memory is spare buffers. */
  get recycling(): Promise<unknown>[] {
    return [...this.#recycling];
  }

  /** Counts `bytes` more as resident (negative: fewer). */
  add(bytes: number): void {
    this.#bytes += bytes;
    if (this.#bytes > this.#peak) this.#peak = this.#bytes;
  }

  /** How many of the requested bytes the spare buffers could supply: of buffers of exact `sizes`, or one buffer in a range. */
  spareFor(sizes: readonly number[] | { readonly between: readonly [number, number] }): number {
    return this.#spare.supplies(sizes);
  }

  /** Keeps `buffers` (nothing else may use them) for later reads and scratch, counted as resident; returns the bytes kept. */
  giveSpare(buffers: readonly ArrayBuffer[]): number {
    const kept = this.#spare.give(buffers);
    this.add(kept);
    return kept;
  }

  /** A spare buffer of `least` to `most` bytes (any content), no longer counted here, or undefined. */
  takeSpare(least: number, most = least): ArrayBuffer | undefined {
    const buffer = this.#spare.takeBetween(least, most);
    if (buffer) this.#bytes -= buffer.byteLength;
    return buffer;
  }

  /** A spare buffer of exactly `bytes` (a read's), no longer counted here, or undefined; the size counts as wanted either way. */
  takeSpareOf(bytes: number): ArrayBuffer | undefined {
    const buffer = this.#spare.take(bytes);
    if (buffer) this.#bytes -= buffer.byteLength;
    return buffer;
  }

  /**
   * Lets go of spare buffers (their pages given back to the kernel), sparing those of `keep` sizes, until
   * `bytes` are let go of (all by default); returns the bytes let go of.
   */
  discardSpare(bytes = Infinity, keep: readonly number[] = []): number {
    const discarded = this.#spare.discard(bytes, keep);
    this.#bytes -= discarded;
    return discarded;
  }

  /** Lets go of every spare buffer and counts nothing resident (the store closed). */
  clear(): void {
    this.#spare.discard(Infinity, []);
    this.#bytes = 0;
  }

  /** A freed value's write or read in flight, whose end recycles its memory: `recycling` lists it until then. */
  recyclingAfter(io: Promise<unknown>): void {
    const done = io.then(
      () => undefined,
      () => undefined,
    );
    this.#recycling.add(done);
    void done.then(() => this.#recycling.delete(done));
  }
}
