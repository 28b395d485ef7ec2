import { findUncloneable } from './clone-check.ts';
import { ErrorCode, SkyloomError } from './errors.ts';
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
 * A value that cannot be copied faithfully (a function, a class instance: a spill or another thread
 * would lose it or its class) throws `SKY_NOT_CLONEABLE` at the call, naming the path into the value,
 * on every runner alike.
 */
export function* put<T>(value: T, options?: PutOptions): Generator<PutOp, Ref<T>, unknown> {
  const bad = findUncloneable(value, 'value');
  if (bad) throw new SkyloomError(ErrorCode.NotCloneable, `put: ${bad.path} is ${bad.what}, which cannot be stored (a spill or another thread would not keep it)`, { site: 'put' });
  return (yield options?.transfer === true ? { kind: 'put', value, transfer: true } : { kind: 'put', value }) as Ref<T>;
}
