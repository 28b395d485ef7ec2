import type { GetOp } from './primitive.ts';
import type { Ref } from './ref.ts';

/**
 * Takes back the value of a ref this unit put with `{ transfer: true }` and kept to itself (never put
 * inside another value, gathered, returned or scattered): the ref is gone, and the value's typed arrays
 * are the unit's to change in place and put again, so a new version needs no new memory. Fails with
 * `SKY_TRANSFER` for any other ref; a later `get` of a taken ref fails with `SKY_UNKNOWN_REF`.
 */
export function* take<T>(ref: Ref<T>): Generator<GetOp, T, unknown> {
  return (yield { kind: 'get', ref, take: true }) as T;
}
