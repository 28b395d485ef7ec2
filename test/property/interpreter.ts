import { algorithm, gather, get, put, scatter, scratch, take, type Algorithm, type Context, type Primitive, type Ref } from '../../lib/index.ts';
import { codeOf } from '../../lib/errors.ts';
import { foldAll, hashString, mix } from './arith.ts';
import type { CentralKind, Instr, Program, UnitInput } from './program.ts';
import { changeInPlace, derive, digestDeep, frozenTop, isContainer, makeArray, nest, PokeResult, uncloneable } from './values.ts';

/** What a gather sends and what a central answers: numbers and refs only, so it crosses threads. */
interface Gathered {
  readonly acc: number;
  readonly ref: Ref | null;
}
interface CentralResult {
  readonly acc: number;
  readonly refs: readonly Ref[];
}

/** What a unit returns to its parent; the root instead materialises its last arrays (see `finish`). */
export interface UnitOutput {
  readonly acc: number;
  readonly refs: readonly Ref[];
  /** Present after `keepInstance`: no runner may let it reach the parent. */
  readonly tally?: unknown;
}

/** What the root returns: data only (ref ids differ between runners), typed arrays compared bit for bit. */
export interface RootOutput {
  readonly acc: number;
  readonly arrays: readonly unknown[];
}

// Central functions are defined here, once, so every runner finds "the same place in the code".
// `alt` differs from `fold` in its text, so a member gathering with it is a collective mismatch.
// Member indices are folded in too, so which members a 'collect' group's central saw changes the output.
const centrals: Record<CentralKind, (values: readonly Gathered[], members: readonly number[]) => unknown> = {
  fold: (values, members) => ({ acc: foldAll([...values.map((v) => v.acc), ...members]), refs: refsOf(values) }),
  perMember: (values, members) => {
    const all = foldAll([...values.map((v) => v.acc), ...members]);
    return values.map((_, i) => ({ acc: mix(all, members[i] as number), refs: refsOf([values[(i + 1) % values.length] as Gathered]) }));
  },
  alt: (values) => ({ acc: foldAll(values.map((v) => v.acc).reverse()) ^ 0xa17, refs: [] }),
};

function refsOf(values: readonly Gathered[]): Ref[] {
  return values.flatMap((v) => (v.ref ? [v.ref] : []));
}

/** How many of its refs a unit hands on (to children, in outputs): enough to move data around. */
const handOn = 2;

/** One unit's running state. */
interface State {
  acc: number;
  readonly refs: Ref[];
  /** Transfer refs this unit put and kept to itself (not gathered or passed to children): it may take them. */
  readonly own: Ref[];
  /** Set by `keepInstance`: the output carries a value no thread can take faithfully (`uncloneable`). */
  instance: boolean;
  /** Set by `holdScratch`: a scratch array the unit keeps holding across pauses (the lease rule's test). */
  held?: Float64Array;
}

/**
 * Runs a program. Everything it computes is deterministic integer arithmetic over values, digests of
 * stored data, `ctx.random()` draws and the codes and paths of caught failures.
 */
export const interpret: Algorithm<UnitInput, UnitOutput | RootOutput> = algorithm(import.meta.url, async function* interpret(ctx: Context, input: UnitInput): Steps<UnitOutput | RootOutput> {
  const state: State = { acc: input.acc >>> 0, refs: [...(input.refs as Ref[])], own: [], instance: false };
  for (const instr of input.program) {
    if (instr.op === 'return') break;
    yield* step(ctx, state, instr);
  }
  if (ctx.path !== 'root') return { acc: state.acc, refs: state.refs.slice(-handOn), ...(state.instance ? { tally: uncloneable(state.acc) } : {}) } satisfies UnitOutput;
  return yield* finish(state);
});

type Steps<T = void> = AsyncGenerator<Primitive, T, unknown>;

async function* step(ctx: Context, state: State, instr: Instr): Steps {
  switch (instr.op) {
    case 'mix':
      state.acc = mix(state.acc, instr.k);
      return;
    case 'random':
      state.acc = mix(state.acc, Math.floor(ctx.random() * 2 ** 32));
      return;
    case 'putPlain':
      state.refs.push(yield* put({ acc: state.acc }));
      return;
    case 'putArray': {
      const ref = yield* put(makeArray(state.acc, instr.length), { transfer: instr.transfer });
      state.refs.push(ref);
      if (instr.transfer) state.own.push(ref);
      return;
    }
    case 'update': {
      const ref = state.own.pop();
      if (!ref) return;
      // No named local for the array: a suspended generator would keep it across the next pause.
      const next = yield* put(changeInPlace((yield* take(ref)) as Float64Array, state.acc), { transfer: true });
      state.refs[state.refs.indexOf(ref)] = next;
      state.own.push(next);
      return;
    }
    case 'get': {
      const ref = pick(state, instr.slot);
      state.acc = mix(state.acc, ref ? digestDeep(yield* get(ref)) : 0);
      return;
    }
    case 'putNested': {
      const a = pick(state, instr.a);
      const b = pick(state, instr.b);
      // Nested values leave the unit's hands: their arrays are no longer the unit's to take.
      disown(state, a ?? null);
      disown(state, b ?? null);
      state.refs.push(yield* put(nest(state.acc, a ? yield* get(a) : null, b ? yield* get(b) : null)));
      return;
    }
    case 'putFrozen':
      state.refs.push(yield* put(frozenTop(state.acc)));
      return;
    case 'poke': {
      const ref = pick(state, instr.slot);
      if (ref) state.acc = mix(state.acc, poke(yield* get(ref)));
      return;
    }
    case 'scratch': {
      const work = yield* scratch(Float64Array, instr.length);
      state.acc = mix(state.acc, digestDeep(work)); // zero-filled, whatever memory it recycles
      work.set(makeArray(state.acc, instr.length));
      if (instr.keep) state.refs.push(yield* put(work));
      else state.acc = mix(state.acc, digestDeep(work));
      return;
    }
    case 'keepInstance':
      state.instance = true;
      return;
    case 'putInstance':
      try {
        state.refs.push(yield* put(uncloneable(state.acc)));
      } catch (error) {
        state.acc = mix(state.acc, hashString(codeOf(error) ?? 'none'));
      }
      return;
    case 'derive': {
      const ref = pick(state, instr.slot);
      if (ref) state.refs.push(yield* put(derive(yield* get(ref), state.acc)));
      return;
    }
    case 'scatter':
      return yield* scatterStep(state, instr);
    case 'gather': {
      const value: Gathered = { acc: state.acc, ref: state.refs.at(-1) ?? null };
      disown(state, value.ref);
      const cutoff = { ...(instr.quorum === undefined ? {} : { quorum: instr.quorum }), ...(instr.deadlineMs === undefined ? {} : { deadlineMs: instr.deadlineMs }) };
      const reply = (yield* gather(value, centrals[instr.central], { perMember: instr.central === 'perMember', ...cutoff })) as CentralResult;
      state.acc = mix(state.acc, reply.acc);
      state.refs.push(...reply.refs.slice(-handOn));
      return;
    }
    case 'throw':
      throw Object.assign(new Error(`program throw in ${ctx.path}`), { code: 'ERR_PROGRAM_THROW' });
    case 'holdScratch':
      state.held = yield* scratch(Float64Array, 8);
      return;
    case 'useHeld':
      // A method on a typed array whose buffer the store detached at the pause throws a TypeError.
      if (state.held) state.acc = mix(state.acc, (state.held.at(0) ?? 0) + 1);
      return;
    case 'mutate': {
      const borrowed = yield* get(yield* put(makeArray(state.acc, 8)));
      (borrowed as Float64Array)[0] = -1; // the injected bug: an in-place write into a borrowed buffer
      return;
    }
    case 'return':
      return;
  }
}

/** `ref` leaves the unit (gathered, passed on): no longer the unit's to take. */
function disown(state: State, ref: Ref | null): void {
  const at = ref ? state.own.indexOf(ref) : -1;
  if (at >= 0) state.own.splice(at, 1);
}

async function* scatterStep(state: State, instr: Extract<Instr, { op: 'scatter' }>): Steps {
  const passed = instr.passRefs ? state.refs.slice(-handOn) : [];
  for (const ref of passed) disown(state, ref);
  const inputs: UnitInput[] = instr.children.map((program: Program, i) => ({ program, acc: mix(state.acc, i), refs: passed }));
  try {
    if (instr.collect) {
      // Each member's outcome: its output, or the code/path chain of its failure.
      const outcomes = yield* scatter(interpret, inputs, { onFailure: 'collect' });
      state.acc = mix(state.acc, foldAll(outcomes.map((o) => (o.ok ? (o.value as UnitOutput).acc : hashString(failureSignature(o.error))))));
      for (const o of outcomes) if (o.ok) state.refs.push(...(o.value as UnitOutput).refs);
      return;
    }
    const outputs = (yield* scatter(interpret, inputs)) as UnitOutput[];
    state.acc = mix(state.acc, foldAll(outputs.map((o) => o.acc)));
    for (const output of outputs) state.refs.push(...output.refs);
  } catch (error) {
    // A cancelled run's units let the cancellation through, as an algorithm must: a unit that swallowed
    // it would finish with an output no uninterrupted run gives, and the ledger would keep that output.
    if (!instr.catches || failureSignature(error).includes('SKY_CANCELLED@')) throw error;
    state.acc = mix(state.acc, hashString(failureSignature(error)));
  }
}

/** The codes and unit paths down an error's cause chain: what a catching parent folds into its result. */
export function failureSignature(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e !== undefined && e !== null && parts.length < 32; e = (e as { cause?: unknown }).cause) {
    parts.push(`${codeOf(e) ?? 'none'}@${(e as { unitPath?: unknown }).unitPath ?? ''}`);
  }
  return parts.join('<');
}

/** The root's output: acc plus its last arrays read back (other values folded into acc), so stored bytes are compared too. */
async function* finish(state: State): Steps<RootOutput> {
  const arrays: unknown[] = [];
  let acc = state.acc;
  for (const ref of state.refs.slice(-3)) {
    const value = yield* get(ref);
    if (ArrayBuffer.isView(value)) arrays.push(value);
    else acc = mix(acc, digestDeep(value));
  }
  return { acc, arrays } satisfies RootOutput;
}

/** Tries to write into the innermost plain container of a value read from the store. */
function poke(value: unknown): number {
  if (!isContainer(value)) return PokeResult.nothing;
  let target: Record<string, unknown> = value;
  for (let child = innerContainer(target); child; child = innerContainer(target)) target = child;
  try {
    if (Array.isArray(target)) target.push(99);
    else target.poked = 1;
    return PokeResult.written;
  } catch (error) {
    return error instanceof TypeError ? PokeResult.refused : PokeResult.other;
  }
}

function innerContainer(value: Record<string, unknown>): Record<string, unknown> | undefined {
  return Object.values(value).find(isContainer);
}

function pick(state: State, slot: number): Ref | undefined {
  return state.refs.length === 0 ? undefined : state.refs[slot % state.refs.length];
}
