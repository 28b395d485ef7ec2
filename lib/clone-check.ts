/**
 * Finds why a value cannot cross a thread: the path to the first part that `postMessage` would reject
 * (a function, a symbol, a WeakMap, a Promise) or silently degrade (a class instance, which arrives as a
 * plain object without its methods). The answer names the path, e.g. `input.sensors[3].fit`.
 *
 * It does not clone anything and does not decide what to transfer; symbol-keyed properties (dropped by
 * a clone) are not reported. Never throws.
 */
import { isFlatRecord } from './flat-record.ts';

export interface Uncloneable {
  /** Where the part is, starting at the root name given, e.g. `inputs[3].fit`. */
  readonly path: string;
  /** What it is, e.g. `function fit`, `instance of Wcs`. */
  readonly what: string;
}

/** Built-in object types that structured clone keeps as they are (their contents are not walked). */
const cloneableLeaves: readonly (abstract new (...args: never[]) => unknown)[] = [
  ArrayBuffer,
  SharedArrayBuffer,
  DataView,
  Date,
  RegExp,
  Error,
  Boolean,
  Number,
  String,
];

/** The first part of `value` that cannot be structured-cloned faithfully, or undefined if all can. */
export function findUncloneable(value: unknown, root = 'value'): Uncloneable | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol') || value === null) return undefined; // no walk for the usual
  if (ArrayBuffer.isView(value)) return undefined; // put values, numbers and typed arrays
  if (typeof value === 'object' && isFlatRecord(value)) return undefined; // a summary or a fit: no walk, no path strings
  return walk(value, root, new Set());
}

function walk(value: unknown, path: string, seen: Set<object>): Uncloneable | undefined {
  if (typeof value === 'function') return { path, what: `function ${value.name || '(anonymous)'}` };
  if (typeof value === 'symbol') return { path, what: `symbol ${value.description ?? ''}` };
  if (typeof value !== 'object' || value === null) return undefined;
  if (seen.has(value)) return undefined;
  seen.add(value);
  if (ArrayBuffer.isView(value) || cloneableLeaves.some((type) => value instanceof type)) return undefined;
  if (Array.isArray(value)) return walkEntries(value.entries(), (i) => `${path}[${i}]`, seen);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const found = walk(k, `${path}<key ${describeKey(k)}>`, seen) ?? walk(v, `${path}.get(${describeKey(k)})`, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (value instanceof Set) return walkEntries([...value].entries(), (i) => `${path}<entry ${i}>`, seen);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== null && proto !== Object.prototype) return { path, what: describeInstance(value) };
  return walkEntries(Object.entries(value), (key) => `${path}${propertySuffix(key)}`, seen);
}

function walkEntries<K>(entries: Iterable<[K, unknown]>, pathOf: (key: K) => string, seen: Set<object>): Uncloneable | undefined {
  for (const [key, item] of entries) {
    const found = walk(item, pathOf(key), seen);
    if (found) return found;
  }
  return undefined;
}

function propertySuffix(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'object' && key !== null ? 'object' : String(key);
}

function describeInstance(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  if (value instanceof Promise) return 'a Promise';
  if (value instanceof WeakMap || value instanceof WeakSet) return `a ${typeof name === 'string' ? name : 'weak collection'}`;
  return typeof name === 'string' && name ? `instance of ${name} (a class instance loses its class when cloned)` : 'object with a custom prototype';
}
