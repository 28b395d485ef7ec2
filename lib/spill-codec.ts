import v8 from 'node:v8';
import { deepFreeze } from './freeze.ts';
import { isRef, type Ref } from './ref.ts';

/**
 * Turns a stored value into bytes for a spill file and back, bit-exact. The structure goes through
 * V8's own serializer (the structured-clone algorithm: Maps, Sets, Dates, -0, NaN, bigint, sparse
 * arrays, shared and cyclic references); the ArrayBuffers behind typed arrays are *transferred out of
 * band* (`Serializer.transferArrayBuffer`), so their bytes are written straight from the value's memory
 * and read straight into fresh buffers, never copied through the skeleton. Views keep their offsets,
 * and views sharing a buffer share it again after decoding.
 *
 * Refs found in a value are returned so the store can keep those handles alive while the value is on
 * disk, and are put back by identity on decoding. Does not cover class instances, functions, symbols,
 * null-prototype objects or SharedArrayBuffers: such values are reported unspillable (the store keeps
 * them in memory) rather than coming back changed.
 */
export interface EncodedValue {
  /** V8-serialized structure; the buffers are referred to by index. */
  readonly skeleton: Uint8Array;
  readonly buffers: readonly ArrayBuffer[];
  /** Refs inside the value, in walk order, without repeats. */
  readonly refs: readonly Ref[];
}

export type EncodeResult = { readonly ok: true; readonly encoded: EncodedValue } | { readonly ok: false; readonly reason: string };

/** Never throws: what cannot be spilled is reported with the path to the offending part. */
export function encodeForSpill(value: unknown): EncodeResult {
  const scan = scanValue(value);
  if (typeof scan === 'string') return { ok: false, reason: scan };
  try {
    const serializer = new v8.Serializer();
    scan.buffers.forEach((buffer, i) => serializer.transferArrayBuffer(i, buffer));
    serializer.writeHeader();
    serializer.writeValue(value);
    return { ok: true, encoded: { skeleton: serializer.releaseBuffer(), buffers: scan.buffers, refs: scan.refs } };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Rebuilds a value from its skeleton and buffers, puts the original ref handles back, deep-freezes it. Throws on a malformed skeleton. */
export function decodeFromSpill(skeleton: Uint8Array, buffers: readonly ArrayBuffer[], refs: readonly Ref[]): unknown {
  const deserializer = new v8.Deserializer(skeleton);
  deserializer.readHeader();
  buffers.forEach((buffer, i) => deserializer.transferArrayBuffer(i, buffer));
  const value: unknown = deserializer.readValue();
  const restored = refs.length === 0 ? value : restoreRefs(value, new Map(refs.map((r) => [r.$ref, r])), new Set());
  return deepFreeze(restored);
}

type Scan = { buffers: ArrayBuffer[]; refs: Ref[] };

/** Collects buffers and refs; returns a reason string for the first unspillable part. */
function scanValue(root: unknown): Scan | string {
  const scan: Scan = { buffers: [], refs: [] };
  const seen = new Set<object>();
  const visit = (value: unknown, path: string): string | undefined => {
    if (typeof value === 'symbol') return `a symbol at ${path}`;
    if (typeof value === 'function') return `a function at ${path}`;
    if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
    seen.add(value);
    if (ArrayBuffer.isView(value)) return visit(value.buffer, path);
    if (value instanceof ArrayBuffer) return void scan.buffers.push(value);
    if (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) return `a SharedArrayBuffer at ${path}`;
    if (value instanceof Date) return undefined;
    if (isRef(value)) scan.refs.push(value);
    if (value instanceof Map) {
      for (const [k, v] of value) {
        const why = visit(k, `${path}.<key>`) ?? visit(v, `${path}.get(${String(k)})`);
        if (why) return why;
      }
      return undefined;
    }
    if (value instanceof Set) {
      for (const v of value) {
        const why = visit(v, `${path}.<item>`);
        if (why) return why;
      }
      return undefined;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name;
      return proto === null ? `a null-prototype object at ${path}` : `an instance of ${name ?? 'a class'} at ${path}`;
    }
    for (const key of Object.keys(value)) {
      const why = visit((value as Record<string, unknown>)[key], `${path}.${key}`);
      if (why) return why;
    }
    return undefined;
  };
  const why = visit(root, 'value');
  return why ?? scan;
}

/** Replaces decoded ref copies with the original handles (the store's lifetimes follow handles). */
function restoreRefs(value: unknown, originals: ReadonlyMap<string, Ref>, seen: Set<object>): unknown {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (isRef(value)) return originals.get(value.$ref) ?? value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => [restoreRefs(k, originals, seen), restoreRefs(v, originals, seen)] as const);
    value.clear();
    for (const [k, v] of entries) value.set(k, v);
  } else if (value instanceof Set) {
    const items = [...value].map((v) => restoreRefs(v, originals, seen));
    value.clear();
    for (const v of items) value.add(v);
  } else {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = restoreRefs(record[key], originals, seen);
  }
  return value;
}
