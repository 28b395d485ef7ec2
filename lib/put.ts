import type { PutOp } from './primitive.ts';
import type { Ref } from './ref.ts';

export interface PutOptions {
  /**
   * Hand the value's buffers to the store: the typed arrays you put, and those `get` returns for this
   * ref, are only borrowed until your next pause (scatter, gather or return). After it, a budgeted
   * store may read other values into that memory once it has spilled this one, so it needs no garbage
   * collection to free it; arrays kept past the pause may then change (verify mode warns with
   * `SKY_RETAINED_AFTER_SPILL`, and reuses nothing). `take(ref)` gives the value back to change in
   * place. Only for buffers the unit made: those of another ref, an input or a gathered value fail
   * with `SKY_TRANSFER`. A value that leaves the unit (gathered, returned, scattered) or is put again
   * becomes ordinary. Default false.
   */
  readonly transfer?: boolean;
}

/**
 * Stores `value` and returns a small `Ref` to it. The value is deep-frozen; typed arrays in it are
 * owned by the store from now on (in verify mode, writing to them fails the writer at its next pause).
 */
export function* put<T>(value: T, options?: PutOptions): Generator<PutOp, Ref<T>, unknown> {
  return (yield options?.transfer === true ? { kind: 'put', value, transfer: true } : { kind: 'put', value }) as Ref<T>;
}
