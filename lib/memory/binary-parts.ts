import { isFlatRecord } from '../flat-record.ts';
import { isRef, type Ref } from '../ref.ts';

/**
 * Walks a value the way the store sees it: plain objects, arrays, Maps and Sets are containers;
 * typed arrays, DataViews and ArrayBuffers are binary parts. Class instances are opaque leaves.
 * Walks each object once, so shared and cyclic structures are fine. Never throws.
 */
export function forEachBinaryPart(value: unknown, visit: (bytes: Uint8Array) => void): void {
  walk(value, new Set(), (part) => visit(bytesOf(part)), () => {});
}

/** Calls `visit` with the buffer of every binary part (detached ones too), repeats included. Never throws. */
export function forEachBuffer(value: unknown, visit: (buffer: ArrayBufferLike) => void): void {
  walk(value, new Set(), (part) => visit(ArrayBuffer.isView(part) ? part.buffer : part), () => {});
}

/** Calls `visit` with every ref handle inside `value` (refs are not walked into). Never throws. */
export function forEachRef(value: unknown, visit: (ref: Ref) => void): void {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return; // no refs: no walk
  if (isFlatRecord(value) && !isRef(value)) return; // a gathered summary: no refs in it
  walk(value, new Set(), () => {}, () => {}, visit);
}

/**
 * Approximate bytes a value occupies: exact for binary data — each distinct buffer counted whole and
 * once, since a view keeps its whole buffer alive and a spill file holds it whole — an estimate for
 * the rest.
 */
export function storeBytes(value: unknown): number {
  if (ArrayBuffer.isView(value)) return byteLengthOf(value.buffer); // the usual put: its buffer, whole
  let bytes = 0;
  const buffers = new Set<ArrayBufferLike>();
  const onBinary = (part: BinaryPart): void => {
    const buffer = ArrayBuffer.isView(part) ? part.buffer : part;
    if (buffers.has(buffer)) return;
    buffers.add(buffer);
    bytes += byteLengthOf(buffer);
  };
  walk(value, new Set(), onBinary, (leafBytes) => (bytes += leafBytes));
  return bytes;
}

type BinaryPart = ArrayBufferView | ArrayBufferLike;

/** The bytes of a part; empty for a detached buffer (whose views have length 0). */
function bytesOf(part: BinaryPart): Uint8Array {
  if (byteLengthOf(part) === 0) return new Uint8Array(0);
  return ArrayBuffer.isView(part) ? new Uint8Array(part.buffer, part.byteOffset, part.byteLength) : new Uint8Array(part);
}

/** 0 for a detached buffer or view (a DataView's `byteLength` throws then). */
function byteLengthOf(part: BinaryPart): number {
  try {
    return part.byteLength;
  } catch {
    return 0;
  }
}

function walk(value: unknown, seen: Set<object>, onBinary: (part: BinaryPart) => void, onLeaf: (bytes: number) => void, onRef?: (ref: Ref) => void): void {
  if (typeof value === 'string') return onLeaf(16 + 2 * value.length);
  if (typeof value !== 'object' || value === null) return onLeaf(8);
  if (seen.has(value)) return;
  seen.add(value);
  if (onRef && isRef(value)) return onRef(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return onBinary(value);
  onLeaf(32);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      walk(k, seen, onBinary, onLeaf, onRef);
      walk(v, seen, onBinary, onLeaf, onRef);
    }
  } else if (value instanceof Set || Array.isArray(value)) {
    for (const v of value) walk(v, seen, onBinary, onLeaf, onRef);
  } else if (isPlain(value)) {
    for (const k of Object.keys(value)) walk((value as Record<string, unknown>)[k], seen, onBinary, onLeaf, onRef);
  }
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}
