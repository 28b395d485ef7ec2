import { forEachBuffer } from './binary-parts.ts';
import { isFlatRecord } from '../flat-record.ts';
import { encodeForSpill } from './spill-codec.ts';

/**
 * What a value must be to be handed over to a store (`put(value, { transfer: true })`) and which
 * buffers it is made of. Pure functions over values; `Ownership` keeps the bookkeeping.
 *
 * Nothing here detaches a buffer: once any ArrayBuffer in a thread is detached, V8 drops an
 * optimisation for the whole thread (its "array buffer detaching" protector) and every typed-array
 * loop there runs ~1.6x slower (measured: 8 → 13 ms a pass over 16 MiB). Stores reuse handed-over
 * memory instead of moving it.
 */

/** Why `value`'s structure cannot be handed over (what was expected, what was got), or undefined. Never throws. */
export function transferProblem(value: unknown): { readonly expected: string; readonly got: string } | undefined {
  // A typed array over an ordinary ArrayBuffer (the usual put) encodes to a bare marker: no need to try.
  if (ArrayBuffer.isView(value) && !(value instanceof DataView) && value.buffer instanceof ArrayBuffer) return undefined;
  const encoded = encodeForSpill(value);
  if (!encoded.ok) return { expected: 'plain data (objects, arrays, Maps, Sets, typed arrays)', got: encoded.reason };
  return undefined;
}

/** The distinct ArrayBuffers of a value (detached ones too, not SharedArrayBuffers), in walk order. Never throws. */
export function buffersOf(value: unknown): ArrayBuffer[] {
  if (typeof value !== 'object' || value === null) return [];
  if (ArrayBuffer.isView(value)) return value.buffer instanceof ArrayBuffer ? [value.buffer] : []; // the usual put: no walk
  if (isFlatRecord(value)) return []; // a gathered summary, a ref: no walk
  const buffers = new Set<ArrayBuffer>();
  forEachBuffer(value, (buffer) => {
    if (buffer instanceof ArrayBuffer) buffers.add(buffer);
  });
  return [...buffers];
}

/** True for an ArrayBuffer whose memory was transferred away (e.g. posted to another thread). Never throws. */
export function isDetached(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength > 0) return false; // a detached buffer has none: no probe view to make (every put asks)
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}
