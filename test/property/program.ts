/**
 * Random skyloom programs as plain data (structured-cloneable, so a worker can receive them), run by
 * the `interpret` algorithm. A unit's program is a list of instructions; a `scatter` instruction
 * holds the programs of its children, so a whole run is one tree of plain objects.
 */

/** The central functions the interpreter defines; `alt` exists only to make a collective mismatch. */
export type CentralKind = 'fold' | 'perMember' | 'alt';

export type Instr =
  /** acc = mix(acc, k): deterministic integer arithmetic. */
  | { readonly op: 'mix'; readonly k: number }
  /** Folds a draw of `ctx.random()` into acc (seeded by run seed and unit path). */
  | { readonly op: 'random' }
  /** Puts a small plain object. */
  | { readonly op: 'putPlain' }
  /** Puts a Float64Array of `length` elements (some large enough to force spilling), handed over to the store with `transfer`. */
  | { readonly op: 'putArray'; readonly length: number; readonly transfer: boolean }
  /** Takes back this unit's latest transfer ref it kept to itself, changes it in place and puts it again with `transfer`. */
  | { readonly op: 'update' }
  /** Gets one of the refs this unit knows (slot modulo their number) and folds its digest into acc. */
  | { readonly op: 'get'; readonly slot: number }
  /** Gets a ref and puts a new version derived from it. */
  | { readonly op: 'derive'; readonly slot: number }
  /** Scatters one child per program; children receive this unit's last refs when `passRefs`; with `collect`, `onFailure: 'collect'`. */
  | { readonly op: 'scatter'; readonly children: readonly Program[]; readonly passRefs: boolean; readonly catches: boolean; readonly collect?: boolean }
  /**
   * A collective with one of the interpreter's central functions; sends this unit's last ref along.
   * Under the 'collect' shape it may carry a `quorum` or `deadlineMs` that never binds (a quorum of the
   * group's width, a deadline of a minute): the options travel to every runner and change nothing.
   */
  | { readonly op: 'gather'; readonly central: CentralKind; readonly quorum?: number; readonly deadlineMs?: number }
  /** Throws a user error (code ERR_PROGRAM_THROW). */
  | { readonly op: 'throw' }
  /** Returns at once (an early return when siblings still gather). */
  | { readonly op: 'return' }
  /** Writes in place into a borrowed typed array: verify mode must fail this unit. */
  | { readonly op: 'mutate' }
  /**
   * Puts `{ acc, parts: [a, { deep: [b] }] }` where a and b are the values of two known refs (slots):
   * the same buffers become reachable from two refs, nested in objects and arrays. A value that is
   * itself nested is replaced by `{ acc: digest }`, so nesting stays one level deep.
   */
  | { readonly op: 'putNested'; readonly a: number; readonly b: number }
  /** Puts `Object.freeze({ acc, inner: [acc, 1, 2] })`: frozen at the top only; the store must freeze the inside. */
  | { readonly op: 'putFrozen' }
  /** Gets a ref and tries to write into the innermost plain container of the value; folds whether that threw. */
  | { readonly op: 'poke'; readonly slot: number }
  /** Puts a value no thread can take faithfully (`uncloneable`: a class instance, a function, a symbol, a WeakMap): every runner must refuse it the same way (folded into acc when caught). */
  | { readonly op: 'putInstance' }
  /** From here on this unit's output (not the root's) carries such a value: every runner must fail the unit with SKY_NOT_CLONEABLE as it returns. */
  | { readonly op: 'keepInstance' }
  /** Working memory: `scratch(Float64Array, length)` must be zero-filled; filled, then put (`keep`) or digested. */
  | { readonly op: 'scratch'; readonly length: number; readonly keep: boolean }
  /** Takes an 8-element scratch array and keeps holding it (not put): its lease ends at the unit's next pause. */
  | { readonly op: 'holdScratch' }
  /** Calls a method (`at(0)`) on the held scratch array: after a pause, verify mode must fail the unit with SKY_LEASE_EXPIRED. */
  | { readonly op: 'useHeld' };

export type Program = readonly Instr[];

/** What a unit receives from its parent. */
export interface UnitInput {
  readonly program: Program;
  readonly acc: number;
  readonly refs: readonly unknown[];
}

/** Number of instructions in a program tree: the size reported for shrunk counterexamples. */
export function programSize(program: Program): number {
  let n = 0;
  for (const instr of program) {
    n++;
    if (instr.op === 'scatter') for (const child of instr.children) n += programSize(child);
  }
  return n;
}

/** Number of units (the root included) a failure-free run of `program` starts. */
export function unitCount(program: Program): number {
  let n = 1;
  for (const instr of program) if (instr.op === 'scatter') for (const child of instr.children) n += unitCount(child);
  return n;
}

/** `program` without its `mutate` instructions (for runs with verify mode off). */
export function withoutMutations(program: Program): Program {
  return program.flatMap((instr): Instr[] => {
    if (instr.op === 'mutate' || instr.op === 'useHeld') return []; // use after a lease's end: undefined without verify
    if (instr.op === 'scatter') return [{ ...instr, children: instr.children.map(withoutMutations) }];
    return [instr];
  });
}
