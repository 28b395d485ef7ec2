import { freeze, isDraft, isDraftable } from 'immer';
import { isFlatRecord } from './flat-record.ts';

/**
 * Deep-freezes everything that crosses a pause: plain objects, arrays, Maps and Sets (immer freezes
 * each one and makes a Map's or Set's mutators throw). Unlike immer's `freeze(value, true)`, which
 * stops at an object that is already frozen, this walks into every container, so a value frozen only
 * at its top (`Object.freeze({ inner: [1, 2, 3] })`) is immutable all through once it crosses.
 *
 * Typed arrays and ArrayBuffers cannot be frozen and are left as they are (the store protects them
 * with checksums in verify mode); class instances and other objects immer does not draft are left
 * alone too (`put` refuses them, see `lib/put.ts`). Values this function froze before are remembered
 * (a WeakSet, so nothing is kept alive) and not walked again: everything inside a deep-frozen value is
 * frozen for good. A flat record of numbers (`flat-record.ts`) is frozen by one `Object.freeze` and
 * not remembered: checking it again costs no more than a lookup.
 */
export function deepFreeze<T>(value: T): T {
  // Most values crossing a pause are numbers, typed arrays or values frozen before: no walk for them.
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  // A record of numbers (most gathered values and central results) is frozen all through by one freeze, and not remembered.
  if (isFlatRecord(value)) return Object.freeze(value);
  if (deeplyFrozen.has(value)) return value;
  freezeAll(value);
  return value;
}

const deeplyFrozen = new WeakSet<object>();

function freezeAll(root: unknown): void {
  // Marked as it is visited (the walk is synchronous and cannot fail half-way), which also stops cycles.
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null || deeplyFrozen.has(value) || !isDraftable(value) || isDraft(value)) continue;
    if (isFlatRecord(value)) {
      Object.freeze(value); // as at the top: no need to remember it
      continue;
    }
    deeplyFrozen.add(value);
    if (value instanceof Map) {
      freeze(value, false); // immer also makes a Map's and a Set's mutators throw
      for (const [key, item] of value) pending.push(key, item);
    } else if (value instanceof Set) {
      freeze(value, false);
      for (const item of value) pending.push(item);
    } else {
      Object.freeze(value); // what immer's freeze does for a plain object or array
      for (const key of Reflect.ownKeys(value)) pending.push((value as Record<PropertyKey, unknown>)[key]);
    }
  }
}
