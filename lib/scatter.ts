import { isAlgorithm, type Algorithm } from './algorithm.ts';
import { describeValue } from './describe-value.ts';
import { SkyloomTypeError } from './errors.ts';
import { memberOutcomes, type MemberOutcome } from './member-outcome.ts';
import type { FailurePolicy, ScatterOp } from './primitive.ts';

export interface ScatterOptions {
  /** Path segment of the children, as in `label:index`; the child algorithm's name by default. */
  readonly label?: string;
  /**
   * What a member's failure does. `'fail'` (default): the group fails, this scatter throws. `'collect'`:
   * the failed member leaves the group, later gathers go on with the live members only (their centrals
   * receive the member indices), and the scatter returns every member's outcome in member order.
   */
  readonly onFailure?: FailurePolicy;
  /**
   * Cluster mode: the longest one step of a member (its code between two pauses) or one of its central
   * functions may run, in milliseconds, for this group and the groups under it; overrides the runner's
   * `stepTimeoutMs`. A step that runs longer fails with `SKY_STEP_TIMEOUT` and its worker thread is
   * replaced. Inline and laptop runners run steps in their own thread, which cannot be interrupted:
   * they ignore it.
   */
  readonly stepTimeoutMs?: number;
}

const policies: readonly unknown[] = ['fail', 'collect'];

/**
 * Starts one `child` coroutine per input and resumes with all outputs, in input order. The children
 * form a group whose members may `gather`. If a member fails, this throws `SKY_UNIT_FAILED` with the
 * failed unit's path and the original error as `cause` — or, with `onFailure: 'collect'`, returns each
 * member's `{ ok: true, value }` or `{ ok: false, error }` (that same `SKY_UNIT_FAILED` error).
 */
export function scatter<I, O>(child: Algorithm<I, O>, inputs: readonly I[], options: ScatterOptions & { readonly onFailure: 'collect' }): Generator<ScatterOp, MemberOutcome<O>[], unknown>;
export function scatter<I, O>(child: Algorithm<I, O>, inputs: readonly I[], options?: ScatterOptions & { readonly onFailure?: 'fail' }): Generator<ScatterOp, O[], unknown>;
export function scatter<I, O>(child: Algorithm<I, O>, inputs: readonly I[], options?: ScatterOptions): Generator<ScatterOp, O[] | MemberOutcome<O>[], unknown>;
export function* scatter<I, O>(child: Algorithm<I, O>, inputs: readonly I[], options: ScatterOptions = {}): Generator<ScatterOp, O[] | MemberOutcome<O>[], unknown> {
  if (!isAlgorithm(child)) throw new SkyloomTypeError('scatter(child, inputs)', 'an algorithm made by algorithm()', describeValue(child));
  if (!Array.isArray(inputs)) throw new SkyloomTypeError('scatter(child, inputs)', 'an array of inputs', describeValue(inputs));
  const label = options.label ?? child.name;
  if (typeof label !== 'string' || !/^[\w.-]+$/.test(label)) {
    throw new SkyloomTypeError('scatter options.label', 'a word of letters, digits, _ . -', describeValue(label));
  }
  const onFailure = options.onFailure ?? 'fail';
  if (!policies.includes(onFailure)) throw new SkyloomTypeError('scatter options.onFailure', "'fail' or 'collect'", describeValue(onFailure));
  const { stepTimeoutMs } = options;
  if (stepTimeoutMs !== undefined && !(typeof stepTimeoutMs === 'number' && stepTimeoutMs > 0 && Number.isFinite(stepTimeoutMs))) {
    throw new SkyloomTypeError('scatter options.stepTimeoutMs', 'a positive number of milliseconds', describeValue(stepTimeoutMs));
  }
  const op: ScatterOp = {
    kind: 'scatter',
    child: child as Algorithm<unknown, unknown>,
    inputs,
    label,
    ...(onFailure === 'collect' ? { onFailure } : {}),
    ...(stepTimeoutMs === undefined ? {} : { stepTimeoutMs }),
  };
  const reply = yield op;
  return onFailure === 'collect' ? memberOutcomes<O>(reply) : (reply as O[]);
}
