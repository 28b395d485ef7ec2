import type { Ref } from './ref.ts';

/**
 * Tells a store when a ref handle can no longer be reached, with a `FinalizationRegistry` on the
 * handles `put` returns: a unit's locals, stored values, gathered values and outputs hold refs by
 * identity (freezing never copies them), so once the handle is collected nobody can `get` it again.
 *
 * The store must not hold handles itself, except the refs inside a value it keeps on disk only (see
 * `SpillStore`). Does not cover refs rebuilt from their id (e.g. parsed from JSON) nor handles that
 * crossed a thread: a copy does not keep the original alive, so a store shared across threads must
 * keep its own handles for refs it sends away. Notice comes after a garbage collection, so timing is
 * up to V8. `onUnreachable` must not throw.
 */
export class RefLifetimes {
  readonly #registry: FinalizationRegistry<string>;
  #closed = false;

  constructor(onUnreachable: (id: string) => void) {
    this.#registry = new FinalizationRegistry((id) => {
      if (!this.#closed) onUnreachable(id);
    });
  }

  track(ref: Ref): void {
    this.#registry.register(ref, ref.$ref);
  }

  /** No more notices after this. */
  close(): void {
    this.#closed = true;
  }
}
