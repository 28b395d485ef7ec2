import type { PutOp } from './primitive.ts';
import type { Ref } from './ref.ts';

/**
 * Stores `value` and returns a small `Ref` to it. The value is deep-frozen; typed arrays in it are
 * owned by the store from now on (in verify mode, writing to them fails the writer at its next pause).
 */
export function* put<T>(value: T): Generator<PutOp, Ref<T>, unknown> {
  return (yield { kind: 'put', value }) as Ref<T>;
}
