import { describeValue } from './describe-value.ts';
import { SkyloomTypeError } from './errors.ts';
import type { ScratchOp } from './primitive.ts';

/** The typed-array constructors `scratch` hands out, by name (a name is plain data: it crosses threads). */
export const scratchTypes = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;

export type ScratchTypeName = keyof typeof scratchTypes;
export type ScratchType = (typeof scratchTypes)[ScratchTypeName];
export type ScratchArray = InstanceType<ScratchType>;

/**
 * Working memory: a zero-filled typed array of `length` elements that counts against the run's memory
 * budget, for a step's temporaries (a rendered signal, a residual, a mask in the making). Like what
 * `get` returns, it is a lease that ends at the unit's next pause (scatter, gather or return): then a
 * budgeted store recycles its memory, so a local still pointing at it keeps nothing alive (in verify
 * mode the array is emptied, and using it fails with `SKY_LEASE_EXPIRED`). To keep the data, `put` it
 * before the pause: the store then keeps the array's memory as the new value's, with no copy.
 *
 * A step that cannot fit it in the budget fails with `SKY_MEMORY_BUDGET` (unit, bytes needed, budget).
 * Bad arguments throw `SKY_INVALID_ARGUMENT` at the call site.
 */
export function* scratch<C extends ScratchType>(type: C, length: number): Generator<ScratchOp, InstanceType<C>, unknown> {
  const name = scratchTypeName(type);
  if (!Number.isSafeInteger(length) || length < 0) throw new SkyloomTypeError('scratch(type, length) length', 'a whole number of elements, 0 or more', describeValue(length));
  return (yield { kind: 'scratch', type: name, length }) as InstanceType<C>;
}

function scratchTypeName(type: unknown): ScratchTypeName {
  for (const [name, ctor] of Object.entries(scratchTypes)) if (ctor === type) return name as ScratchTypeName;
  throw new SkyloomTypeError('scratch(type, length) type', `one of ${Object.keys(scratchTypes).join(', ')}`, describeValue(type));
}

/** A fresh zero-filled array (for stores with no pool). Never throws for a valid op. */
export function allocateScratch(op: ScratchOp): ScratchArray {
  return new scratchTypes[op.type](op.length);
}

/** Bytes a scratch op asks for. */
export function scratchBytes(op: ScratchOp): number {
  return op.length * scratchTypes[op.type].BYTES_PER_ELEMENT;
}
