/**
 * The ref handles of one host that left its thread. A value posted to another thread is a copy, so
 * the copy does not keep the handle `put` returned alive here: once this thread drops the original,
 * the host's store would see the ref as unreachable and free it while another host, the coordinator
 * or a later step still holds the copy. So every value leaving the host (gathered values, central
 * results, scatter inputs, outputs, values another host reads, refs adopted for the ledger) is walked
 * once, and each handle of this host's own refs found in it is kept here until the run ends. Refs
 * that never leave the host (a sensor's image versions) stay weakly held and are freed when dropped.
 *
 * Walks values as the store does (`forEachRef`: plain objects, arrays, Maps and Sets). Keeps the
 * first handle seen per id (any copy that came back is not the one the store tracks, but then the
 * original had already left and is kept). Never throws.
 */
import { forEachRef } from '../../lib/memory/binary-parts.ts';
import type { Ref } from '../../lib/ref.ts';

export class EscapedRefs {
  readonly #prefix: string;
  readonly #kept = new Map<string, Ref>();

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  /** Handles kept so far. */
  get size(): number {
    return this.#kept.size;
  }

  /** Keeps every handle of this host's refs found in `value`; returns `value`. */
  keep<T>(value: T): T {
    forEachRef(value, (ref) => {
      if (ref.$ref.startsWith(this.#prefix) && !this.#kept.has(ref.$ref)) this.#kept.set(ref.$ref, ref);
    });
    return value;
  }

  /** Lets go of every handle (the run ended). */
  clear(): void {
    this.#kept.clear();
  }
}
