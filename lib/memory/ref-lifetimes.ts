import type { Ref } from '../ref.ts';

/**
 * Tells a store when a ref handle can no longer be reached, with a `FinalizationRegistry` on the
 * handles `put` returns: a unit's locals, stored values, gathered values and outputs hold refs by
 * identity (freezing never copies them), so once the handle is collected nobody can `get` it again.
 *
 * A `WeakRef` per handle lets `sweep()` report the handles a collection just cleared at once, in the
 * caller's turn: finalization callbacks only run in a later task, so a store that forces a collection
 * to make room (see `MemoryPolicy`) would otherwise not see the room until after it had spilled.
 * Each id is reported once, by whichever of the two notices it first.
 *
 * The store must not hold handles itself, except the refs inside a value it keeps on disk only (see
 * `SpillStore`). Does not cover refs rebuilt from their id (e.g. parsed from JSON) nor handles that
 * crossed a thread: a copy does not keep the original alive, so a store shared across threads must
 * keep its own handles for refs it sends away. Notice comes after a garbage collection, so timing is
 * up to V8. `onUnreachable` must not throw.
 */
export class RefLifetimes {
  readonly #registry: FinalizationRegistry<string>;
  readonly #onUnreachable: (id: string) => void;
  /** Tracked handles not yet reported, by id. */
  readonly #handles = new Map<string, WeakRef<Ref>>();
  #closed = false;

  constructor(onUnreachable: (id: string) => void) {
    this.#onUnreachable = onUnreachable;
    this.#registry = new FinalizationRegistry((id) => this.#report(id));
  }

  track(ref: Ref): void {
    this.#handles.set(ref.$ref, new WeakRef(ref));
    this.#registry.register(ref, ref.$ref);
  }

  /**
   * Reports every tracked handle that a collection has already cleared; returns how many. Meant to be
   * called right after a forced collection. O(tracked handles). Never throws.
   */
  sweep(): number {
    if (this.#closed) return 0;
    const dead: string[] = [];
    for (const [id, handle] of this.#handles) if (handle.deref() === undefined) dead.push(id);
    for (const id of dead) this.#report(id);
    return dead.length;
  }

  /** `id` was freed another way: no notice for it. */
  forget(id: string): void {
    this.#handles.delete(id);
  }

  /** No more notices after this. */
  close(): void {
    this.#closed = true;
    this.#handles.clear();
  }

  #report(id: string): void {
    if (this.#closed || !this.#handles.delete(id)) return;
    this.#onUnreachable(id);
  }
}
