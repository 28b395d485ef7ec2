import { deserialize, serialize } from 'node:v8';
import { deepFreeze } from '../freeze.ts';
import type { RefAccess } from '../journal.ts';
import { isRef, type Ref } from '../ref.ts';
import { ObjectStore } from './object-store.ts';

/** Stands where a ref was, naming the object that holds the ref's value. */
interface ObjectMarker {
  readonly $skyloomObject: string;
}

const isMarker = (v: unknown): v is ObjectMarker => typeof v === 'object' && v !== null && typeof (v as ObjectMarker).$skyloomObject === 'string';

/**
 * Turns values into content-addressed objects and back. A ref inside a value is replaced by a marker
 * naming the object of the ref's own value, so an object's id (its digest) depends only on content:
 * the same output has the same digest on any runner, in any attempt. Serialisation is node:v8's
 * (plain objects, arrays, Maps, Sets, typed arrays). Ref ids are run-local; the cache maps them to
 * object ids for the life of one run.
 */
export class ValueCodec {
  readonly #objects: ObjectStore;
  /** ref id → object id, and whether that object (with everything it names) is on disk. */
  readonly #byRef = new Map<string, { id: string; persisted: boolean }>();

  constructor(objects: ObjectStore) {
    this.#objects = objects;
  }

  /** The digest (object id) of `value`; with `persist`, also writes it and every object it names. */
  async encode(value: unknown, refs: RefAccess, persist: boolean): Promise<string> {
    const bytes = serialize(await this.#replaceRefs(value, refs, persist));
    return persist ? this.#objects.write(bytes) : ObjectStore.idOf(bytes);
  }

  /** The value of object `id`, its refs restored into the store through `refs`; deep-frozen. */
  async decode(id: string, refs: RefAccess): Promise<unknown> {
    return deepFreeze(await this.#restoreRefs(deserialize(this.#objects.read(id)), refs));
  }

  async #refObject(ref: Ref, refs: RefAccess, persist: boolean): Promise<string> {
    const known = this.#byRef.get(ref.$ref);
    if (known && (known.persisted || !persist)) return known.id;
    const id = await refs.read(ref, (value) => this.encode(value, refs, persist));
    this.#byRef.set(ref.$ref, { id, persisted: persist });
    return id;
  }

  #replaceRefs(value: unknown, refs: RefAccess, persist: boolean): Promise<unknown> {
    return mapLeaves(value, async (leaf) => (isRef(leaf) ? { $skyloomObject: await this.#refObject(leaf, refs, persist) } : leaf));
  }

  #restoreRefs(value: unknown, refs: RefAccess): Promise<unknown> {
    return mapLeaves(value, async (leaf) => (isMarker(leaf) ? refs.write(await this.decode(leaf.$skyloomObject, refs)) : leaf));
  }
}

/** Rebuilds plain containers (objects, arrays, Maps, Sets) with `leaf` applied to refs/markers and scalars. */
async function mapLeaves(value: unknown, leaf: (v: unknown) => Promise<unknown>): Promise<unknown> {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || isRef(value) || isMarker(value)) return leaf(value);
  if (Array.isArray(value)) return Promise.all(value.map((v) => mapLeaves(v, leaf)));
  if (value instanceof Map) return new Map(await Promise.all([...value].map(async ([k, v]) => [k, await mapLeaves(v, leaf)] as const)));
  if (value instanceof Set) return new Set(await Promise.all([...value].map((v) => mapLeaves(v, leaf))));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await mapLeaves(v, leaf)] as const));
  return Object.fromEntries(entries);
}
