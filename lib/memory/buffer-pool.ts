/**
 * Spare ArrayBuffers to read spill files into, by exact size: the memory of values handed over to the
 * store (put with `transfer`), dropped to make room for a read, is read into at once instead of being
 * let go of while the read allocates anew. Why: memory that goes back to V8 is freed only when a
 * collection finds its ArrayBuffer dead, and a buffer that lived across a few steps is only found by
 * a full collection (~5-10 ms here each); reused, it never waits for one.
 *
 * Mechanism only: the store decides what to give and empties the pool once the reads it was filled
 * for have started, so its buffers never sit beside the budget. Never throws.
 */
export class BufferPool {
  readonly #bySize = new Map<number, ArrayBuffer[]>();
  #bytes = 0;

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Keeps `buffers` for a read of their sizes. */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      const same = this.#bySize.get(buffer.byteLength);
      if (same) same.push(buffer);
      else this.#bySize.set(buffer.byteLength, [buffer]);
      this.#bytes += buffer.byteLength;
    }
  }

  /** A spare buffer of exactly `bytes` (any content), or undefined. */
  take(bytes: number): ArrayBuffer | undefined {
    const buffer = this.#bySize.get(bytes)?.pop();
    if (buffer) this.#bytes -= bytes;
    return buffer;
  }

  /** Lets go of every buffer; returns their bytes. */
  clear(): number {
    const bytes = this.#bytes;
    this.#bySize.clear();
    this.#bytes = 0;
    return bytes;
  }
}
