import fc from 'fast-check';
import { predict } from './oracle/oracle.ts';
import type { CentralKind, Instr, Program } from './program.ts';

/** Knobs of the program generator. */
export interface ProgramShape {
  /** Deepest nesting of scatters below the root. */
  readonly depth: number;
  /** Most members per scatter (zero-width scatters are always possible). */
  readonly maxWidth: number;
  /** Most gathers per member. */
  readonly maxGathers: number;
  /** Generate throws, mismatches, early returns and catching parents. */
  readonly faults: boolean;
  /** Largest Float64Array length: large ones force a small-budget runner to spill. */
  readonly maxArrayLength: number;
  /** Odds of a large array against a small one (1 means 1 in 5 arrays is large). */
  readonly largeArrayWeight: number;
  /** Scatters may use `onFailure: 'collect'` (half of them), and members fail more often (`faultWeight`). */
  readonly collect?: boolean;
  /** Odds of a fault per member against 14 of none; 1 by default. */
  readonly faultWeight?: number;
  /** Generate `holdScratch` / `useHeld` (a scratch array used after a pause: SKY_LEASE_EXPIRED in verify mode). */
  readonly leases?: boolean;
  /** Generate in-place writes into borrowed arrays (`mutate`): verify mode must fail the writer. */
  readonly mutations: boolean;
  /** Weight of nested, frozen-top and poking instructions against 10 for each plain one. */
  readonly nestingWeight: number;
  /** Fewest and most instructions in the root's body; 1 and 6 by default. */
  readonly rootLength?: { readonly min: number; readonly max: number };
}

export const defaultShape: ProgramShape = { depth: 3, maxWidth: 4, maxGathers: 3, faults: true, maxArrayLength: 40_000, largeArrayWeight: 1, mutations: true, nestingWeight: 10 };

/**
 * For budgeted runners: mostly large arrays and a longer root, so a run's live values outgrow the
 * budget and must spill (the store writes only under pressure; see the equivalence test's floor).
 */
export const spillingShape: ProgramShape = { ...defaultShape, largeArrayWeight: 20, nestingWeight: 3, rootLength: { min: 6, max: 12 } };

/**
 * For the cluster family: its few cases spread the data over several hosts, each with the whole
 * budget, so wider scatters and more gathers keep more values live on one host at once.
 */
export const clusterSpillingShape: ProgramShape = { ...spillingShape, nestingWeight: 2, largeArrayWeight: 60, maxWidth: 6, maxGathers: 4 };

/** For the lease property: scratch arrays held across pauses and used after them. */
export const leaseShape: ProgramShape = { ...defaultShape, leases: true };

/** For the 'collect' property: half the scatters collect, and about one member in four fails. */
export const collectShape: ProgramShape = { ...defaultShape, collect: true, faultWeight: 5 };

/** A member's deviation from its group's agreed sequence of collectives. */
type Fault =
  | { readonly kind: 'throw'; readonly at: number }
  | { readonly kind: 'mismatch'; readonly gather: number }
  | { readonly kind: 'early'; readonly gather: number };

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ kind: fc.constant('throw' as const), at: fc.nat(20) }),
  fc.record({ kind: fc.constant('mismatch' as const), gather: fc.nat(3) }),
  fc.record({ kind: fc.constant('early' as const), gather: fc.nat(3) }),
);

/** A random program for the root unit: a longer list of instructions, and (rarely) a fault. */
export function programArb(shape: ProgramShape = defaultShape): fc.Arbitrary<Program> {
  const body = fc.array(localInstrArb(shape, shape.depth), { minLength: shape.rootLength?.min ?? 1, maxLength: shape.rootLength?.max ?? 6 });
  return fc.tuple(body, faultOrNone(shape)).map(([program, f]) => withFault(program, f));
}

function arrayLengthArb(shape: ProgramShape): fc.Arbitrary<number> {
  // Mostly small arrays; now and then a large one (a quarter, half or all of the largest) so budgets force spilling.
  const max = Math.max(1, shape.maxArrayLength);
  const small = fc.integer({ min: 0, max: Math.min(64, max) });
  // Large arrays come in a few sizes, as a camera's images do: values of one size are read back into
  // one another's memory, so a read that returns the wrong one of them shows.
  const large = fc.constantFrom(max, Math.max(1, Math.floor(max / 2)), Math.max(1, Math.floor(max / 4)));
  return fc.oneof({ weight: 4, arbitrary: small }, { weight: shape.largeArrayWeight, arbitrary: large });
}

/**
 * `program` with its large arrays scaled so that any one step's working set (plus one array of
 * margin) fits in `budget` bytes; unchanged without a budget.
 */
export function fitToBudget(program: Program, budget: number | undefined): Program {
  if (budget === undefined) return program;
  // The oracle counts the arrays each step holds (array counts do not depend on their lengths).
  const length = Math.floor(budget / 8 / (predict(program).mostArraysPerStep + 1));
  return fitArrays(program, Math.min(defaultShape.maxArrayLength, length));
}

/**
 * Scales the large arrays of a program drawn with the default shape down to `maxArrayLength` (small
 * ones stay). Done after drawing, so programs and runner configurations shrink independently.
 */
export function fitArrays(program: Program, maxArrayLength: number): Program {
  const cap = Math.min(64, maxArrayLength);
  return program.map((instr): Instr => {
    if (instr.op === 'scatter') return { ...instr, children: instr.children.map((child) => fitArrays(child, maxArrayLength)) };
    if ((instr.op !== 'putArray' && instr.op !== 'scratch') || instr.length <= cap) return instr;
    return { ...instr, length: Math.max(1, Math.floor((instr.length * maxArrayLength) / defaultShape.maxArrayLength)) };
  });
}

function localInstrArb(shape: ProgramShape, depth: number): fc.Arbitrary<Instr> {
  const common = (arbitrary: fc.Arbitrary<Instr>) => ({ weight: 10, arbitrary });
  const nesting = (arbitrary: fc.Arbitrary<Instr>) => ({ weight: shape.nestingWeight, arbitrary });
  // Rare: a refused class instance, and (verify mode) an in-place write into a borrowed array.
  const rare = (arbitrary: fc.Arbitrary<Instr>) => ({ weight: 2, arbitrary });
  const leaf: fc.WeightedArbitrary<Instr>[] = [
    common(fc.record({ op: fc.constant('mix' as const), k: fc.nat(1000) })),
    common(fc.constant({ op: 'random' as const })),
    common(fc.constant({ op: 'putPlain' as const })),
    common(fc.record({ op: fc.constant('putArray' as const), length: arrayLengthArb(shape), transfer: fc.boolean() })),
    nesting(fc.record({ op: fc.constant('scratch' as const), length: arrayLengthArb(shape), keep: fc.boolean() })),
    common(fc.constant({ op: 'update' as const })),
    common(fc.record({ op: fc.constant('get' as const), slot: fc.nat(7) })),
    common(fc.record({ op: fc.constant('derive' as const), slot: fc.nat(7) })),
    nesting(fc.record({ op: fc.constant('putNested' as const), a: fc.nat(7), b: fc.nat(7) })),
    nesting(fc.constant({ op: 'putFrozen' as const })),
    nesting(fc.record({ op: fc.constant('poke' as const), slot: fc.nat(7) })),
    rare(fc.constant({ op: 'putInstance' as const })),
    ...(shape.faults ? [{ weight: 1, arbitrary: fc.constant<Instr>({ op: 'keepInstance' }) }] : []),
    ...(shape.mutations ? [rare(fc.constant({ op: 'mutate' as const }))] : []),
    // Only when asked, so that other shapes' pinned seeds keep drawing the same programs.
    ...(shape.leases ? [{ weight: 30, arbitrary: fc.constant<Instr>({ op: 'holdScratch' }) }, { weight: 30, arbitrary: fc.constant<Instr>({ op: 'useHeld' }) }] : []),
  ];
  if (depth <= 0) return fc.oneof(...leaf);
  return fc.oneof(...leaf, { weight: 10 + 10 * depth, arbitrary: scatterArb(shape, depth - 1) });
}

function scatterArb(shape: ProgramShape, depth: number): fc.Arbitrary<Instr> {
  // No `chain`: the agreed collectives and the members are drawn independently, so fast-check can
  // shrink each on its own (drop a gather from everyone, drop a member, empty a segment).
  const agreed = fc.array(fc.constantFrom<CentralKind>('fold', 'perMember'), { maxLength: shape.maxGathers });
  const members = fc.array(memberPartsArb(shape, depth), { maxLength: shape.maxWidth });
  const scatter = fc.record({
    op: fc.constant('scatter' as const),
    children: fc.tuple(agreed, members, sharedFaultArb(shape)).map(([centrals, parts, shared]) => parts.map((part, i) => buildMember(withShared(part, i, shared), centrals))),
    passRefs: fc.boolean(),
    catches: shape.faults ? fc.boolean() : fc.constant(false),
  });
  if (!shape.collect) return scatter; // draws nothing more, so other shapes' pinned seeds give the same programs
  return fc.tuple(scatter, fc.boolean()).map(([instr, collect]) => ({ ...instr, collect, children: withCutoff(instr.children, cutoffOf(instr)) }));
}

/**
 * A gather option that never binds, or none: a quorum of the group's width (members that fail or
 * return early do not count towards it, so it is met, if ever, by the last arrival), or a deadline of
 * a minute (no generated program waits that long). Which members a binding one leaves out depends on
 * timing, which the oracle cannot predict for concurrent runners: `test/runners/shared/gather-cutoff.test.ts`
 * tests binding ones with designed timing.
 */
type Cutoff = 'none' | 'quorum' | 'deadline';

/**
 * Chosen from what was drawn already, not drawn itself, so the pinned seeds draw the same programs as
 * before the option existed. (A further draw did change them, and the laptop seed then met a budget
 * failure of its own: a scratch array of the whole 64 KiB budget, not kept, then an 8-byte put fails
 * with SKY_MEMORY_BUDGET where the oracle expects the program's throw.)
 */
function cutoffOf(instr: { readonly children: readonly Program[]; readonly passRefs: boolean; readonly catches: boolean }): Cutoff {
  const kinds: readonly Cutoff[] = ['none', 'quorum', 'deadline'];
  return kinds[(instr.children.length + (instr.passRefs ? 1 : 0) + (instr.catches ? 2 : 0)) % 3] as Cutoff;
}

function withCutoff(children: readonly Program[], cutoff: Cutoff): Program[] {
  if (cutoff === 'none') return [...children];
  const option = cutoff === 'quorum' ? { quorum: Math.max(1, children.length) } : { deadlineMs: 60_000 };
  return children.map((child) => child.map((instr) => (instr.op === 'gather' ? { ...instr, ...option } : instr)));
}

/** A member before it meets its group's agreed collectives: its local segments and (rarely) a fault. */
interface MemberParts {
  readonly segments: readonly Instr[][];
  readonly fault: Fault | null;
}

function memberPartsArb(shape: ProgramShape, depth: number): fc.Arbitrary<MemberParts> {
  const segment = fc.array(localInstrArb(shape, depth), { maxLength: 4 });
  return fc.record({ segments: fc.array(segment, { maxLength: shape.maxGathers + 1 }), fault: faultOrNone(shape) });
}

/** Faults are rare per member, so that most runs get deep before something breaks. */
function faultOrNone(shape: ProgramShape): fc.Arbitrary<Fault | null> {
  return shape.faults ? fc.oneof({ weight: 14, arbitrary: fc.constant(null) }, { weight: shape.faultWeight ?? 1, arbitrary: faultArb }) : fc.constant(null);
}

/**
 * Now and then (1 in 8 groups) one fault given to several members at once — two early returns at the
 * same gather, two mismatched centrals, throws in the same phase — so that which of several failures
 * a group reports (the lowest member index, contract 4) is put to the test.
 */
interface SharedFault {
  readonly fault: Fault;
  readonly members: readonly number[];
}

function sharedFaultArb(shape: ProgramShape): fc.Arbitrary<SharedFault | null> {
  if (!shape.faults) return fc.constant(null);
  const shared = fc.record({ fault: faultArb, members: fc.uniqueArray(fc.nat(shape.maxWidth - 1), { minLength: 2, maxLength: 3 }) });
  return fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: shared });
}

function withShared(part: MemberParts, index: number, shared: SharedFault | null): MemberParts {
  return shared && shared.members.includes(index) ? { ...part, fault: shared.fault } : part;
}

/** Segment k runs before agreed gather k; segments beyond the agreed gathers are dropped, missing ones are empty. */
function buildMember(parts: MemberParts, agreed: readonly CentralKind[]): Program {
  const segments = agreed.map((_, k) => parts.segments[k] ?? []);
  const tail = parts.segments[agreed.length] ?? [];
  return withFault(interleaveGathers([...segments, tail], agreed, parts.fault), parts.fault);
}

function interleaveGathers(parts: readonly Instr[][], agreed: readonly CentralKind[], fault: Fault | null): Instr[] {
  const program: Instr[] = [...(parts[0] ?? [])];
  agreed.forEach((central, k) => {
    if (fault?.kind === 'early' && fault.gather % agreed.length === k) program.push({ op: 'return' });
    const wrong = fault?.kind === 'mismatch' && fault.gather % agreed.length === k;
    program.push({ op: 'gather', central: wrong ? 'alt' : central });
    program.push(...(parts[k + 1] ?? []));
  });
  return program;
}

function withFault(program: Instr[], fault: Fault | null): Program {
  if (fault?.kind !== 'throw') return program;
  const at = fault.at % (program.length + 1);
  return [...program.slice(0, at), { op: 'throw' }, ...program.slice(at)];
}
