import { describeValue } from './describe-value.ts';
import { SkyloomTypeError } from './errors.ts';
import type { GetOp } from './primitive.ts';
import { isRef, type Ref } from './ref.ts';

/** Returns the value behind `ref`. The unit borrows it until its next pause; never write to it. */
export function* get<T>(ref: Ref<T>): Generator<GetOp, T, unknown> {
  if (!isRef(ref)) throw new SkyloomTypeError('get(ref)', 'a Ref returned by put()', describeValue(ref));
  return (yield { kind: 'get', ref }) as T;
}
