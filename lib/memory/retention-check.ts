import { forEachBinaryPart } from './binary-parts.ts';
import { formatBytes } from '../byte-size.ts';
import { ErrorCode } from '../errors.ts';
import type { Emit } from '../events.ts';
import { forceGc } from './force-gc.ts';

/**
 * Verify-mode check for the one mistake that silently breaks a memory budget: a unit that keeps a
 * borrowed value in a local variable across a pause. After a value is spilled (dropped from memory),
 * weak references to its buffers are kept; at the next step start, after a full garbage collection, a
 * buffer still alive is held by someone outside the store, normally a suspended unit that borrowed it,
 * and a `warning` event names those units and the ref. Each spilled value is checked once.
 *
 * Does not say which variable holds the value, and a value also reachable some other way (the same
 * buffer put twice, part of a gathered value) is reported too. Costs a full collection per check, so
 * it is for verify mode only. `check` never rejects.
 */
export class RetentionCheck {
  readonly #emit: Emit;
  readonly #suspects: { ref: string; bytes: number; holders: readonly string[]; buffers: WeakRef<object>[] }[] = [];
  readonly #gc = forceGc();

  constructor(emit: Emit) {
    this.#emit = emit;
  }

  /** `ref`'s value left memory; `holders` are the units that put or borrowed it. */
  suspect(ref: string, value: unknown, holders: readonly string[]): void {
    if (!this.#gc || holders.length === 0) return;
    const buffers: WeakRef<object>[] = [];
    let bytes = 0;
    forEachBinaryPart(value, (b) => {
      buffers.push(new WeakRef(b.buffer));
      bytes += b.byteLength;
    });
    if (buffers.length > 0) this.#suspects.push({ ref, bytes, holders, buffers });
  }

  get pending(): number {
    return this.#suspects.length;
  }

  /** Collects garbage and warns about every suspect still alive. */
  async check(): Promise<void> {
    if (!this.#gc || this.#suspects.length === 0) return;
    const suspects = this.#suspects.splice(0);
    await new Promise((resolve) => setImmediate(resolve)); // let V8 release objects kept for the current job
    // Twice: node's v8.Serializer/Deserializer wrappers hold transferred buffers until their own
    // weak callbacks ran, which happens in the first collection; the buffers go in the second.
    this.#gc();
    await new Promise((resolve) => setImmediate(resolve));
    this.#gc();
    for (const s of suspects) {
      if (!s.buffers.some((w) => w.deref() !== undefined)) continue;
      const who = s.holders.join(', ');
      this.#emit({
        type: 'warning',
        path: s.holders[0] as string,
        code: ErrorCode.RetainedAfterSpill,
        message:
          `the value of ref ${s.ref} (${formatBytes(s.bytes)}) was spilled but is still in memory, held outside the store ` +
          `(likely a local variable of ${who} kept across a pause); get() it again after the pause so the budget holds`,
      });
    }
  }
}
