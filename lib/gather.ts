import { describeValue } from './describe-value.ts';
import { SkyloomTypeError } from './errors.ts';
import type { Central, GatherOp } from './primitive.ts';

export interface GatherOptions {
  /** `central` returns one entry per member; each member receives its own entry. */
  readonly perMember?: boolean;
  /**
   * Go on as soon as this many members (of those still live) reached this gather; the members that
   * have not are treated as failed for the group (`SKY_GATHER_LATE`), as the scatter's `onFailure` says.
   * Which members made it is recorded in the run ledger, so resume and replay give the same answer.
   */
  readonly quorum?: number;
  /** Go on this many ms after the first member reached this gather; later members fail as with `quorum`. */
  readonly deadlineMs?: number;
}

/**
 * A collective over the members of this unit's group: pauses until every member reaches this gather,
 * runs `central` once on all values in member order, and resumes every member with its result.
 */
export function gather<T, R>(value: T, central: (values: readonly T[], members: readonly number[]) => R): Generator<GatherOp, R, unknown>;
export function gather<T, R>(
  value: T,
  central: (values: readonly T[], members: readonly number[]) => readonly R[],
  options: GatherOptions & { readonly perMember: true },
): Generator<GatherOp, R, unknown>;
export function gather<T, R>(value: T, central: (values: readonly T[], members: readonly number[]) => R, options?: GatherOptions): Generator<GatherOp, R, unknown>;
export function* gather(value: unknown, central: (values: readonly unknown[], members: readonly number[]) => unknown, options: GatherOptions = {}): Generator<GatherOp, unknown, unknown> {
  if (typeof central !== 'function') throw new SkyloomTypeError('gather(value, central)', 'a central function', describeValue(central));
  const perMember = options.perMember ?? false;
  if (typeof perMember !== 'boolean') throw new SkyloomTypeError('gather options.perMember', 'a boolean', describeValue(perMember));
  const { quorum, deadlineMs } = options;
  if (quorum !== undefined && !(Number.isInteger(quorum) && quorum >= 1)) throw new SkyloomTypeError('gather options.quorum', 'an integer ≥ 1', describeValue(quorum));
  if (deadlineMs !== undefined && !(Number.isFinite(deadlineMs) && deadlineMs >= 0)) throw new SkyloomTypeError('gather options.deadlineMs', 'a number of ms ≥ 0', describeValue(deadlineMs));
  return yield { kind: 'gather', value, central: central as Central, perMember, ...(quorum === undefined ? {} : { quorum }), ...(deadlineMs === undefined ? {} : { deadlineMs }) };
}
