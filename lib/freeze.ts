import { freeze } from 'immer';

/**
 * Deep-freezes everything that crosses a pause, with immer: plain objects, arrays, Maps and Sets.
 * Typed arrays and ArrayBuffers cannot be frozen (immer leaves them as they are); the store protects
 * those with checksums in verify mode instead. An already-frozen object is taken as frozen all through.
 */
export function deepFreeze<T>(value: T): T {
  return freeze(value, true);
}
