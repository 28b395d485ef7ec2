import { buffersOf } from './hand-over.ts';

/**
 * Per unit, the buffers it has in hand outside any entry during its current step (values it took,
 * scratch arrays) and their bytes, until it puts them or pauses. Bookkeeping only: the budgeted store
 * counts these bytes as resident and decides what becomes of the buffers. Never throws.
 */
export class HeldBuffers {
  readonly #byUnit = new Map<string, { bytes: number; buffers: Map<ArrayBuffer, number> }>();

  /** Bytes all units hold. */
  get bytes(): number {
    let bytes = 0;
    for (const held of this.#byUnit.values()) bytes += held.bytes;
    return bytes;
  }

  /** True if `path` holds anything. */
  holds(path: string): boolean {
    return this.#byUnit.has(path);
  }

  /** `path` has `value`'s buffers in hand, `bytes` of them. */
  hold(path: string, value: unknown, bytes: number): void {
    let held = this.#byUnit.get(path);
    if (!held) this.#byUnit.set(path, (held = { bytes: 0, buffers: new Map() }));
    for (const buffer of buffersOf(value)) held.buffers.set(buffer, buffer.byteLength);
    held.bytes += bytes;
  }

  /** The bytes `putBack(path, value)` would return now. */
  heldFor(path: string, value: unknown): number {
    const held = this.#byUnit.get(path);
    if (!held) return 0;
    let bytes = 0;
    for (const buffer of buffersOf(value)) bytes += held.buffers.get(buffer) ?? 0;
    return Math.min(bytes, held.bytes);
  }

  /** `path` put `value`: its buffers are no longer in hand. Returns the bytes that stop being held. */
  putBack(path: string, value: unknown): number {
    const held = this.#byUnit.get(path);
    if (!held) return 0;
    let bytes = 0;
    for (const buffer of buffersOf(value)) {
      bytes += held.buffers.get(buffer) ?? 0;
      held.buffers.delete(buffer);
    }
    bytes = Math.min(bytes, held.bytes);
    held.bytes -= bytes;
    return bytes;
  }

  /** `path` paused: what it still held (its bytes, and the buffers it did not put), now held no more. */
  release(path: string): { readonly bytes: number; readonly buffers: readonly ArrayBuffer[] } | undefined {
    const held = this.#byUnit.get(path);
    if (!held) return undefined;
    this.#byUnit.delete(path);
    return { bytes: held.bytes, buffers: [...held.buffers.keys()] };
  }

  clear(): void {
    this.#byUnit.clear();
  }
}
