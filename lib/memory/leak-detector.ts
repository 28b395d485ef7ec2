import { ErrorCode } from '../errors.ts';
import type { Emit } from '../events.ts';
import type { Ref } from '../ref.ts';

/**
 * Verify mode's leak detector: a `FinalizationRegistry` on the ref handles `put` returns. A handle
 * collected while its store still holds the value means the value was never freed deterministically
 * (its unit still runs and superseded it without `take`, or its handle left the unit and was dropped
 * there): a `warning` event `SKY_REF_LEAKED` names the ref. It frees nothing: lifetimes never depend
 * on the garbage collector, and runs with finalizers off behave the same.
 *
 * Timing is up to V8 (no collection is forced), so it reports some leaks, late, never a false one.
 * `held(id)` must not throw.
 */
export class LeakDetector {
  readonly #registry: FinalizationRegistry<string>;
  /** Tracked ref ids → the unit that put them. */
  readonly #tracked = new Map<string, string>();
  #closed = false;

  /** Off with SKYLOOM_FINALIZERS=0 (the test suite runs so, to show nothing depends on it; see vitest.config.ts). */
  static enabled(): boolean {
    return process.env.SKYLOOM_FINALIZERS !== '0';
  }

  constructor(emit: Emit, held: (id: string) => boolean) {
    this.#registry = new FinalizationRegistry((id) => {
      const path = this.#tracked.get(id);
      if (this.#closed || path === undefined || !this.#tracked.delete(id) || !held(id)) return;
      emit({ type: 'warning', path, code: ErrorCode.RefLeaked, message: `ref ${id} became unreachable while the store still held it: it is freed only at the run's end (take superseded versions, or let the unit end)` });
    });
  }

  /** Watches the handle of a ref `unitPath` just put. */
  track(ref: Ref, unitPath: string): void {
    this.#tracked.set(ref.$ref, unitPath);
    this.#registry.register(ref, ref.$ref);
  }

  /** `id` was freed: no report for it. */
  forget(id: string): void {
    this.#tracked.delete(id);
  }

  close(): void {
    this.#closed = true;
    this.#tracked.clear();
  }
}
