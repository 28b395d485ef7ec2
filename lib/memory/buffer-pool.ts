import { returnPages } from './return-pages.ts';

/**
 * Spare ArrayBuffers by exact size: the memory of values the store owned once they left memory
 * (spilled, freed, or a unit's scratch array at its pause), read into or handed out as scratch again
 * instead of being let go of. Why: memory that goes back to V8 is freed only when a collection finds
 * its ArrayBuffer dead, and a buffer that lived across a few steps is only found by a full collection;
 * reused, it never waits for one, and a paused unit's local that still points at it keeps nothing
 * extra alive.
 *
 * Mechanism only: the store counts these bytes as resident and decides what to give and what to let
 * go of. Never throws.
 */
export class BufferPool {
  readonly #bySize = new Map<number, ArrayBuffer[]>();
  /** When each size was last asked for: sizes nobody wants go first. */
  readonly #wanted = new Map<number, number>();
  #tick = 0;
  #bytes = 0;

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Keeps `buffers` (empty, detached ones are skipped); returns the bytes kept. */
  give(buffers: readonly ArrayBuffer[]): number {
    let kept = 0;
    for (const buffer of buffers) {
      if (buffer.byteLength === 0) continue;
      const same = this.#bySize.get(buffer.byteLength);
      if (same) same.push(buffer);
      else this.#bySize.set(buffer.byteLength, [buffer]);
      kept += buffer.byteLength;
    }
    this.#bytes += kept;
    return kept;
  }

  /** A spare buffer of exactly `bytes` (any content), or undefined. */
  take(bytes: number): ArrayBuffer | undefined {
    this.#wanted.set(bytes, ++this.#tick);
    const same = this.#bySize.get(bytes);
    const buffer = same?.pop();
    if (same?.length === 0) this.#bySize.delete(bytes);
    if (buffer) this.#bytes -= bytes;
    return buffer;
  }

  /** The smallest spare buffer of `least` to `most` bytes (any content), or undefined. */
  takeBetween(least: number, most: number): ArrayBuffer | undefined {
    let best: number | undefined;
    for (const size of this.#bySize.keys()) if (size >= least && size <= most && (best === undefined || size < best)) best = size;
    return best === undefined ? undefined : this.take(best);
  }

  /** True if a buffer of `least` to `most` bytes is here. */
  hasBetween(least: number, most: number): boolean {
    for (const size of this.#bySize.keys()) if (size >= least && size <= most) return true;
    return false;
  }

  /** Bytes of `sizes` (a multiset) the pool could supply now. */
  covers(sizes: readonly number[]): number {
    const used = new Map<number, number>();
    let bytes = 0;
    for (const size of sizes) {
      const n = used.get(size) ?? 0;
      if (n >= (this.#bySize.get(size)?.length ?? 0)) continue;
      used.set(size, n + 1);
      bytes += size;
    }
    return bytes;
  }

  /** Bytes a request could take now: of buffers of exact `sizes` (`covers`), or one buffer in a range (its most). */
  supplies(sizes: readonly number[] | { readonly between: readonly [number, number] }): number {
    if (!('between' in sizes)) return this.covers(sizes);
    const [least, most] = sizes.between;
    return this.hasBetween(least, most) ? most : 0;
  }

  /**
   * Lets go of buffers, sizes wanted least recently first (largest first among never-wanted ones),
   * sparing one per size in `keep`, until `bytes` are let go of; returns the bytes let go of. Their
   * memory goes back to the kernel at once (`returnPages`), not at the next full garbage collection.
   */
  discard(bytes: number, keep: readonly number[]): number {
    let discarded = 0;
    const spared = new Map<number, number>();
    for (const size of keep) spared.set(size, (spared.get(size) ?? 0) + 1);
    const order = [...this.#bySize.keys()].sort((a, b) => (this.#wanted.get(a) ?? 0) - (this.#wanted.get(b) ?? 0) || b - a);
    for (const size of order) {
      const list = this.#bySize.get(size) as ArrayBuffer[];
      while (list.length > (spared.get(size) ?? 0) && discarded < bytes) {
        const buffer = list.pop() as ArrayBuffer;
        returnPages(buffer);
        discarded += size;
      }
      if (list.length === 0) this.#bySize.delete(size);
    }
    this.#bytes -= discarded;
    return discarded;
  }
}
