/**
 * A `Ref` is the small handle `put` returns for a value held by the store. It is plain, frozen data
 * (`{ $ref, bytes }`) so it can cross a thread and be found inside any value by its tag.
 */
export interface Ref<T = unknown> {
  /** The store's id for the value; unique within a run. */
  readonly $ref: string;
  /** The value's size in store accounting, in bytes. */
  readonly bytes: number;
  /** Phantom: the type of the referenced value. Never present at run time. */
  readonly __value?: T;
}

export function makeRef<T>(id: string, bytes: number): Ref<T> {
  return Object.freeze({ $ref: id, bytes });
}

/** True for anything shaped like a ref, including one that crossed a thread. Never throws. */
export function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string';
}
