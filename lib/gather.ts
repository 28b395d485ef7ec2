import { describeValue } from './describe-value.ts';
import { SkyloomTypeError } from './errors.ts';
import type { Central, GatherOp } from './primitive.ts';

export interface GatherOptions {
  /** `central` returns one entry per member; each member receives its own entry. */
  readonly perMember?: boolean;
}

/**
 * A collective over the members of this unit's group: pauses until every member reaches this gather,
 * runs `central` once on all values in member order, and resumes every member with its result.
 */
export function gather<T, R>(value: T, central: (values: readonly T[]) => R): Generator<GatherOp, R, unknown>;
export function gather<T, R>(
  value: T,
  central: (values: readonly T[]) => readonly R[],
  options: GatherOptions & { readonly perMember: true },
): Generator<GatherOp, R, unknown>;
export function gather<T, R>(value: T, central: (values: readonly T[]) => R, options?: GatherOptions): Generator<GatherOp, R, unknown>;
export function* gather(value: unknown, central: (values: readonly unknown[]) => unknown, options: GatherOptions = {}): Generator<GatherOp, unknown, unknown> {
  if (typeof central !== 'function') throw new SkyloomTypeError('gather(value, central)', 'a central function', describeValue(central));
  const perMember = options.perMember ?? false;
  if (typeof perMember !== 'boolean') throw new SkyloomTypeError('gather options.perMember', 'a boolean', describeValue(perMember));
  return yield { kind: 'gather', value, central: central as Central, perMember };
}
