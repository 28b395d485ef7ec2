import { isRef } from '../ref.ts';
import { deepFreeze } from '../freeze.ts';

/**
 * Ending a lease: moves buffers to fresh ArrayBuffer handles so every typed array a unit still holds
 * over the old ones is left empty (length 0, reads `undefined`, methods throw), and rebuilds a stored
 * value over the fresh handles. No copy: a transfer hands the same memory to the new handle (~0.2 ms
 * for 64 MiB).
 *
 * Cost: detaching any buffer drops V8's "array buffer detaching" protector for the whole thread, after
 * which typed-array loops run up to ~1.6x slower (measured here on memory-bound loops; under tsx's
 * loader, as `npm start` runs, it is already gone). So stores detach only in verify mode, where a use
 * after the pause must fail loudly; outside it they recycle the memory as it is (see `buffer-pool.ts`).
 *
 * Pure functions; never throw for values a store holds (plain data, typed arrays, refs, opaque leaves).
 */

/**
 * Moves `buffers` (those of `value` to take away from whoever else holds them) to fresh handles and
 * returns `value` rebuilt over them, deep-frozen, with the map old → new. Views' offsets and lengths
 * are read before anything is detached (a detached view reports 0 for both). Containers are copied
 * (shared and cyclic structure kept); refs and class instances are kept as they are. Buffers already
 * detached are skipped; with nothing to move, `value` itself is returned.
 */
export function moveBuffers<T>(value: T, buffers: Iterable<ArrayBuffer>): { value: T; moved: Map<ArrayBuffer, ArrayBuffer> } {
  const wanted = new Set([...buffers].filter((b) => b.byteLength > 0)); // a detached buffer has byteLength 0
  if (wanted.size === 0) return { value, moved: new Map() };
  const rehomer = new Rehomer(value, wanted);
  const moved = new Map<ArrayBuffer, ArrayBuffer>();
  for (const buffer of wanted) moved.set(buffer, structuredClone(buffer, { transfer: [buffer] }));
  return { value: deepFreeze(rehomer.copy(value, moved) as T), moved };
}

/** Moves buffers that belong to no stored value (scratch arrays, taken values) to fresh handles; returns them. */
export function detachAll(buffers: Iterable<ArrayBuffer>): ArrayBuffer[] {
  const fresh: ArrayBuffer[] = [];
  for (const buffer of new Set(buffers)) if (buffer.byteLength > 0) fresh.push(structuredClone(buffer, { transfer: [buffer] }));
  return fresh;
}

interface Layout {
  readonly byteOffset: number;
  readonly length: number;
}

/** Copies a value's structure; binary views over moved buffers are rebuilt from layouts read at construction. */
class Rehomer {
  readonly #layouts = new Map<ArrayBufferView, Layout>();
  readonly #copies = new Map<object, unknown>();
  #moved: ReadonlyMap<ArrayBuffer, ArrayBuffer> = new Map();

  constructor(value: unknown, buffers: ReadonlySet<ArrayBuffer>) {
    this.#note(value, buffers, new Set());
  }

  copy(value: unknown, moved: ReadonlyMap<ArrayBuffer, ArrayBuffer>): unknown {
    this.#moved = moved;
    return this.#copy(value);
  }

  #note(value: unknown, buffers: ReadonlySet<ArrayBuffer>, seen: Set<object>): void {
    if (typeof value !== 'object' || value === null || seen.has(value) || isRef(value)) return;
    seen.add(value);
    if (ArrayBuffer.isView(value)) {
      if (!buffers.has(value.buffer as ArrayBuffer)) return;
      const length = value instanceof DataView ? value.byteLength : (value as unknown as { length: number }).length;
      this.#layouts.set(value, { byteOffset: value.byteOffset, length });
      return;
    }
    if (value instanceof ArrayBuffer) return;
    const children = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set || Array.isArray(value) ? [...value] : isPlain(value) ? Object.values(value) : [];
    for (const child of children) this.#note(child, buffers, seen);
  }

  #copy(value: unknown): unknown {
    if (typeof value !== 'object' || value === null || isRef(value)) return value;
    const done = this.#copies.get(value);
    if (done !== undefined) return done;
    if (value instanceof ArrayBuffer) return this.#moved.get(value) ?? value;
    if (ArrayBuffer.isView(value)) return this.#view(value);
    if (Array.isArray(value)) return this.#fill(value, [] as unknown[], (out) => value.forEach((v, i) => (out[i] = this.#copy(v))));
    if (value instanceof Map) return this.#fill(value, new Map(), (out) => value.forEach((v, k) => out.set(this.#copy(k), this.#copy(v))));
    if (value instanceof Set) return this.#fill(value, new Set(), (out) => value.forEach((v) => out.add(this.#copy(v))));
    if (!isPlain(value)) return value; // an opaque leaf
    const out = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
    return this.#fill(value, out, (o) => {
      for (const key of Object.keys(value)) o[key] = this.#copy((value as Record<string, unknown>)[key]);
    });
  }

  #fill<O>(original: object, out: O, populate: (out: O) => void): O {
    this.#copies.set(original, out); // before populating: cycles and shared parts reuse the copy
    populate(out);
    return out;
  }

  #view(view: ArrayBufferView): unknown {
    const layout = this.#layouts.get(view);
    const target = layout && this.#moved.get(view.buffer as ArrayBuffer);
    if (!layout || !target) return view;
    const Ctor = view.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;
    const copy = new Ctor(target, layout.byteOffset, layout.length);
    this.#copies.set(view, copy);
    return copy;
  }
}

function isPlain(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}
