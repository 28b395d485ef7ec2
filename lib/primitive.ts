import type { Algorithm } from './algorithm.ts';
import type { Ref } from './ref.ts';
import type { ScratchTypeName } from './scratch.ts';

/**
 * The pauses an algorithm can yield. Each is plain data with a `kind` tag: the activator hands it to
 * the runner, which replies with a value or an error. Users never build these: they `yield*` the
 * typed helpers in `put.ts`, `get.ts`, `take.ts`, `scratch.ts`, `scatter.ts` and `gather.ts`.
 */
export interface PutOp {
  readonly kind: 'put';
  readonly value: unknown;
  /** `put(value, { transfer: true })`: the value's buffers are handed to the store (see `PutOptions`). */
  readonly transfer?: boolean;
}

export interface GetOp {
  readonly kind: 'get';
  readonly ref: Ref;
  /** `take(ref)`: the value is given to the unit and the ref is gone (see `take.ts`). */
  readonly take?: boolean;
}

/** `scratch(type, length)`: a zero-filled typed array of working memory, leased until the next pause (see `scratch.ts`). */
export interface ScratchOp {
  readonly kind: 'scratch';
  readonly type: ScratchTypeName;
  readonly length: number;
}

export interface ScatterOp {
  readonly kind: 'scatter';
  readonly child: Algorithm<unknown, unknown>;
  readonly inputs: readonly unknown[];
  /** Path segment of the children (`label:index`); the child algorithm's name by default. */
  readonly label: string;
  /** What a member's failure does to the group: fail it (default) or collect it (see `ScatterOptions.onFailure`). */
  readonly onFailure?: FailurePolicy;
  /** Cluster mode: the longest a step of a unit of this group (or of groups under it) may run (see `ScatterOptions.stepTimeoutMs`). */
  readonly stepTimeoutMs?: number;
}

/** `'fail'`: a member's failure fails the group. `'collect'`: the group goes on with the live members. */
export type FailurePolicy = 'fail' | 'collect';

/**
 * A central function: the gathered values in member order, and the member index of each value (every
 * member's, `0…n-1`, unless failed members were left out under `onFailure: 'collect'`).
 */
export type Central = (values: readonly unknown[], members: readonly number[]) => unknown;

export interface GatherOp {
  readonly kind: 'gather';
  readonly value: unknown;
  readonly central: Central;
  readonly perMember: boolean;
  /** Go on once this many members arrived; the later ones fail for the group (`SKY_GATHER_LATE`). */
  readonly quorum?: number;
  /** Go on this many ms after the first member arrived; the later ones fail for the group. */
  readonly deadlineMs?: number;
}

export type Primitive = PutOp | GetOp | ScratchOp | ScatterOp | GatherOp;

const kinds = new Set(['put', 'get', 'scratch', 'scatter', 'gather']);

/** True for anything a primitive helper yields. Never throws. */
export function isPrimitive(value: unknown): value is Primitive {
  return typeof value === 'object' && value !== null && kinds.has((value as { kind?: unknown }).kind as string);
}
