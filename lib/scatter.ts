import { isAlgorithm, type Algorithm } from './algorithm.ts';
import { describeValue } from './describe-value.ts';
import { SkyloomTypeError } from './errors.ts';
import type { ScatterOp } from './primitive.ts';

export interface ScatterOptions {
  /** Path segment of the children, as in `label:index`; the child algorithm's name by default. */
  readonly label?: string;
}

/**
 * Starts one `child` coroutine per input and resumes with all outputs, in input order. The children
 * form a group whose members may `gather`. If a member fails, this throws `SKY_UNIT_FAILED` with the
 * failed unit's path and the original error as `cause`.
 */
export function* scatter<I, O>(
  child: Algorithm<I, O>,
  inputs: readonly I[],
  options: ScatterOptions = {},
): Generator<ScatterOp, O[], unknown> {
  if (!isAlgorithm(child)) throw new SkyloomTypeError('scatter(child, inputs)', 'an algorithm made by algorithm()', describeValue(child));
  if (!Array.isArray(inputs)) throw new SkyloomTypeError('scatter(child, inputs)', 'an array of inputs', describeValue(inputs));
  const label = options.label ?? child.name;
  if (typeof label !== 'string' || !/^[\w.-]+$/.test(label)) {
    throw new SkyloomTypeError('scatter options.label', 'a word of letters, digits, _ . -', describeValue(label));
  }
  const op: ScatterOp = { kind: 'scatter', child: child as Algorithm<unknown, unknown>, inputs, label };
  return (yield op) as O[];
}
