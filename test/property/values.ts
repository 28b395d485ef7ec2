/**
 * What the program's instructions compute from values: the arrays a unit makes, the versions it
 * derives, the nested values it builds and the digests it folds into its accumulator. Pure functions
 * of plain data, used by both the interpreter (on what the runner hands it) and the oracle (on its own
 * copies), so the two agree on the program's meaning while sharing no skyloom code.
 *
 * Not here: anything about refs, stores, groups or failures.
 */
import { digestBytes, hashString, mix } from './arith.ts';

export function makeArray(acc: number, length: number): Float64Array {
  const array = new Float64Array(length);
  for (let i = 0; i < length; i++) array[i] = (acc % 1009) * 0.37 + i * 1e-3;
  return array;
}

/** A new version of a stored value: an array scaled, anything else folded into `{ acc }`. */
export function derive(value: unknown, acc: number): unknown {
  if (!(value instanceof Float64Array)) return { acc: mix(acc, digestDeep(value)) };
  const next = new Float64Array(value.length);
  for (let i = 0; i < value.length; i++) next[i] = (value[i] as number) * 1.5 + (acc % 7);
  return next;
}

/** Folds `acc` into every element, in place (what `update` does to a taken array). */
export function changeInPlace(array: Float64Array, acc: number): Float64Array {
  for (let i = 0; i < array.length; i++) array[i] = (array[i] as number) * 1.25 + (acc % 11);
  return array;
}

/** True for a value built by `nest`. */
export function isNested(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && 'parts' in value;
}

/** What `putNested` puts: `a` and `b` themselves (sharing their buffers), unless already nested. */
export function nest(acc: number, a: unknown, b: unknown): unknown {
  const flat = (v: unknown): unknown => (isNested(v) ? { acc: digestDeep(v) } : v);
  return { acc, parts: [flat(a), { deep: [flat(b)] }] };
}

/** What `putFrozen` puts: frozen at the top only. */
export function frozenTop(acc: number): unknown {
  return Object.freeze({ acc, inner: [acc, 1, 2] });
}

/** A class whose instances cannot cross a thread faithfully: one arrives as a plain object without its methods. */
export class Tally {
  constructor(readonly count: number) {}
  twice(): number {
    return this.count * 2;
  }
}

/**
 * What `putInstance` puts and what a unit's output carries after `keepInstance`: by `acc`, a class
 * instance, or a plain object holding a function, a symbol or a WeakMap, the kinds of value a thread
 * cannot take (postMessage throws) or cannot take faithfully (the instance). Every runner must refuse
 * each the same way (`SKY_NOT_CLONEABLE`).
 */
export function uncloneable(acc: number): unknown {
  switch (acc % 4) {
    case 0:
      return new Tally(acc);
    case 1:
      return { acc, fit: () => acc };
    case 2:
      return { acc, parts: [Symbol('tag')] };
    default:
      return { acc, cache: new WeakMap() };
  }
}

/** An order-sensitive digest of any value a program stores: bytes of typed arrays, keys and numbers. */
export function digestDeep(value: unknown): number {
  if (ArrayBuffer.isView(value)) return digestBytes(value);
  if (typeof value === 'number') return mix(0x77, hashString(String(value)));
  if (typeof value !== 'object' || value === null) return 0xdead;
  if (Array.isArray(value)) return value.reduce((h: number, item) => mix(h, digestDeep(item)), mix(0xa11, value.length));
  const proto = Object.getPrototypeOf(value);
  let h = mix(proto === Object.prototype ? 0x0b1 : 0xc1a, Object.keys(value).length);
  for (const [key, item] of Object.entries(value)) h = mix(mix(h, hashString(key)), digestDeep(item));
  return h;
}

/** A plain object or array (not a typed array): something `poke` can try to write into. */
export function isContainer(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value);
}

/** What `poke` folds: 0 nothing to write into, 1 the write threw a TypeError (frozen), 2 it succeeded, 3 other error. */
export const PokeResult = { nothing: 0, refused: 1, written: 2, other: 3 } as const;
