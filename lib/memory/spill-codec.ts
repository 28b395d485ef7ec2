import v8 from 'node:v8';
import { deepFreeze } from '../freeze.ts';
import { isRef, type Ref } from '../ref.ts';

/**
 * Turns a stored value into bytes for a spill file and back, bit-exact. The value's buffers are
 * written and read as they are (straight from and into their own memory, never copied through the
 * skeleton); the rest — the *skeleton* — is a copy of the value's structure in which every typed
 * array, DataView and ArrayBuffer is replaced by a small marker naming its buffer, kind, offset and
 * length, serialized with V8's structured-clone serializer (Maps, Sets, Dates, -0, NaN, bigint, sparse
 * arrays, shared and cyclic references). Views sharing a buffer share it again after decoding.
 *
 * Why a copy and not the serializer's own ArrayBuffer transfer: a `v8.Serializer` or `Deserializer`
 * holds every object it saw until its native half is destroyed, one garbage collection after the
 * wrapper dies, and by then the buffers have been promoted out of the young generation. Pixels a
 * store drops would then wait for a full collection (~5 ms each here) instead of going with the next
 * cheap young-generation one. Encoding and decoding therefore never hand a value's own objects to V8's
 * serializer, and decoding builds fresh containers around the views.
 *
 * Refs found in a value are returned so the store can keep those handles alive while the value is on
 * disk, and are put back by identity on decoding. Does not cover class instances, functions, symbols,
 * null-prototype objects, SharedArrayBuffers or objects with the reserved marker key: such values are
 * reported unspillable (the store keeps them in memory) rather than coming back changed.
 */
export interface EncodedValue {
  /** V8-serialized skeleton; buffers are referred to by index. */
  readonly skeleton: Uint8Array;
  readonly buffers: readonly ArrayBuffer[];
  /** Refs inside the value, in walk order, without repeats. */
  readonly refs: readonly Ref[];
}

export type EncodeResult = { readonly ok: true; readonly encoded: EncodedValue } | { readonly ok: false; readonly reason: string };

/** The key of a marker object standing for a buffer or view in the skeleton. */
const marker = '\u0000skyloom:buffer';

type Marker = { readonly [marker]: readonly [buffer: number, kind: string, byteOffset: number, length: number] };

const viewKinds = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
} as const;

/** Never throws: what cannot be spilled is reported with the path to the offending part. */
export function encodeForSpill(value: unknown): EncodeResult {
  const encoder = new SkeletonEncoder();
  const skeleton = encoder.copy(value, 'value');
  if (encoder.failure !== undefined) return { ok: false, reason: encoder.failure };
  try {
    return { ok: true, encoded: { skeleton: v8.serialize(skeleton), buffers: encoder.buffers, refs: encoder.refs } };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Rebuilds a value from its skeleton and buffers, puts the original ref handles back, deep-freezes it. Throws on a malformed skeleton. */
export function decodeFromSpill(skeleton: Uint8Array, buffers: readonly ArrayBuffer[], refs: readonly Ref[]): unknown {
  const originals = new Map(refs.map((r) => [r.$ref, r]));
  return deepFreeze(rebuild(v8.deserialize(skeleton), buffers, originals, new Map()));
}

/** Copies a value's structure with buffers replaced by markers; records the buffers and refs. */
class SkeletonEncoder {
  readonly buffers: ArrayBuffer[] = [];
  readonly refs: Ref[] = [];
  failure: string | undefined;
  readonly #bufferIndex = new Map<ArrayBuffer, number>();
  readonly #copies = new Map<object, unknown>();

  copy(value: unknown, path: string): unknown {
    if (this.failure !== undefined) return undefined;
    if (typeof value === 'symbol') return this.#fail(`a symbol at ${path}`);
    if (typeof value === 'function') return this.#fail(`a function at ${path}`);
    if (typeof value !== 'object' || value === null) return value;
    const done = this.#copies.get(value);
    if (done !== undefined) return done;
    if (ArrayBuffer.isView(value)) return this.#marker(value, value.buffer, viewKind(value), value.byteOffset, viewLength(value), path);
    if (value instanceof ArrayBuffer) return this.#marker(value, value, 'ArrayBuffer', 0, value.byteLength, path);
    if (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) return this.#fail(`a SharedArrayBuffer at ${path}`);
    if (value instanceof Date) return value;
    if (value instanceof Map) return this.#copyMap(value, path);
    if (value instanceof Set) return this.#copySet(value, path);
    const proto: unknown = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name;
      return this.#fail(proto === null ? `a null-prototype object at ${path}` : `an instance of ${name ?? 'a class'} at ${path}`);
    }
    if (Object.hasOwn(value, marker)) return this.#fail(`a property named by skyloom's reserved marker key at ${path}`);
    if (isRef(value) && !this.refs.includes(value)) this.refs.push(value);
    const out: Record<string, unknown> = Array.isArray(value) ? (new Array(value.length) as unknown as Record<string, unknown>) : {};
    this.#copies.set(value, out);
    for (const key of Object.keys(value)) setOwn(out, key, this.copy((value as Record<string, unknown>)[key], `${path}.${key}`));
    return out;
  }

  #marker(original: object, buffer: ArrayBufferLike, kind: string, byteOffset: number, length: number, path: string): unknown {
    if (!(buffer instanceof ArrayBuffer)) return this.#fail(`a view of a SharedArrayBuffer at ${path}`);
    if (kind !== 'ArrayBuffer' && !(kind in viewKinds)) return this.#fail(`an instance of ${kind} at ${path}`);
    let index = this.#bufferIndex.get(buffer);
    if (index === undefined) {
      index = this.buffers.push(buffer) - 1;
      this.#bufferIndex.set(buffer, index);
    }
    const m: Marker = { [marker]: [index, kind, byteOffset, length] };
    this.#copies.set(original, m);
    return m;
  }

  #copyMap(value: Map<unknown, unknown>, path: string): unknown {
    const out = new Map<unknown, unknown>();
    this.#copies.set(value, out);
    for (const [k, v] of value) out.set(this.copy(k, `${path}.<key>`), this.copy(v, `${path}.get(${String(k)})`));
    return out;
  }

  #copySet(value: Set<unknown>, path: string): unknown {
    const out = new Set<unknown>();
    this.#copies.set(value, out);
    for (const v of value) out.add(this.copy(v, `${path}.<item>`));
    return out;
  }

  #fail(reason: string): undefined {
    this.failure ??= reason;
    return undefined;
  }
}

/** Builds the value from a decoded skeleton: fresh containers, views on `buffers`, original refs. */
function rebuild(node: unknown, buffers: readonly ArrayBuffer[], refs: ReadonlyMap<string, Ref>, done: Map<object, unknown>): unknown {
  if (typeof node !== 'object' || node === null || node instanceof Date) return node;
  const seen = done.get(node);
  if (seen !== undefined) return seen;
  if (Object.hasOwn(node, marker)) {
    const view = viewOf((node as Marker)[marker], buffers);
    done.set(node, view);
    return view;
  }
  if (node instanceof Map) {
    const out = new Map<unknown, unknown>();
    done.set(node, out);
    for (const [k, v] of node) out.set(rebuild(k, buffers, refs, done), rebuild(v, buffers, refs, done));
    return out;
  }
  if (node instanceof Set) {
    const out = new Set<unknown>();
    done.set(node, out);
    for (const v of node) out.add(rebuild(v, buffers, refs, done));
    return out;
  }
  if (isRef(node) && refs.has(node.$ref)) {
    const original = refs.get(node.$ref);
    done.set(node, original);
    return original;
  }
  const out: Record<string, unknown> = Array.isArray(node) ? (new Array(node.length) as unknown as Record<string, unknown>) : {};
  done.set(node, out);
  for (const key of Object.keys(node)) setOwn(out, key, rebuild((node as Record<string, unknown>)[key], buffers, refs, done));
  return out;
}

function viewOf([index, kind, byteOffset, length]: Marker[typeof marker], buffers: readonly ArrayBuffer[]): unknown {
  const buffer = buffers[index];
  if (buffer === undefined) throw new Error(`spill skeleton names buffer ${index}, but only ${buffers.length} were read`);
  if (kind === 'ArrayBuffer') return buffer;
  const View = viewKinds[kind as keyof typeof viewKinds] as (new (b: ArrayBuffer, offset: number, length: number) => unknown) | undefined;
  if (View === undefined) throw new Error(`spill skeleton names an unknown view kind ${kind}`);
  return new View(buffer, byteOffset, length);
}

/** The built-in kind of a view (a Buffer is a Uint8Array, and comes back as one). */
function viewKind(view: ArrayBufferView): string {
  return view instanceof DataView ? 'DataView' : String((view as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag]);
}

function viewLength(view: ArrayBufferView): number {
  return view instanceof DataView ? view.byteLength : (view as unknown as { length: number }).length;
}

/** Sets an own data property; `__proto__` is defined, not assigned (assigning would change the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
