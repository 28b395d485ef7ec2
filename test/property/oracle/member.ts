import { foldAll, hashString, mix } from '../arith.ts';
import type { CentralKind, Instr, Program } from '../program.ts';
import { changeInPlace, derive, digestDeep, frozenTop, isContainer, makeArray, nest, PokeResult } from '../values.ts';
import { oracleRandom } from './oracle-random.ts';
import { Code, signatureOf, type ChainLink } from './prediction.ts';

/**
 * One unit of a program, evaluated by plain recursion with no skyloom code: a ref is a box holding
 * the value (values are never changed once boxed: `update` boxes a changed copy), a nested scatter
 * is evaluated at once through `RunGroup`, and the member stops only at a gather or its end.
 *
 * It does not decide what a group does with its members' arrivals (see `group.ts`).
 */
export interface Box {
  readonly value: unknown;
}

export interface MemberInput {
  readonly acc: number;
  readonly refs: readonly Box[];
}

export interface Gathered {
  readonly acc: number;
  readonly ref: Box | null;
}

export interface CentralReply {
  readonly acc: number;
  readonly refs: readonly Box[];
}

export type Arrival =
  | { readonly kind: 'gather'; readonly central: CentralKind; readonly value: Gathered }
  | { readonly kind: 'returned'; readonly output: MemberInput }
  | { readonly kind: 'failed'; readonly chain: readonly ChainLink[] };

/** How one member of a collecting group ended: its output, or its failure (wrapped as `SKY_UNIT_FAILED` of it). */
export type MemberOutcome = { readonly ok: true; readonly output: MemberInput } | { readonly ok: false; readonly chain: readonly ChainLink[] };

/** A group's result: every member's output, or under 'collect' every member's outcome; or the group's failure. */
export type GroupResult =
  | { readonly ok: true; readonly outputs: readonly MemberInput[] }
  | { readonly ok: true; readonly outcomes: readonly MemberOutcome[] }
  | { readonly ok: false; readonly chain: readonly ChainLink[] };

export interface OracleEnv {
  readonly seed: number;
  /** Verify mode: an in-place write into a borrowed array fails the writer at its next pause. */
  readonly verify: boolean;
  /** Evaluates a nested group (defined in group.ts; passed in to keep the two files apart). */
  readonly runGroup: (group: string, programs: readonly Program[], inputs: readonly MemberInput[], collect: boolean) => GroupResult;
  /** Told of every unit that starts, and of every failure, caught or not. */
  readonly started: (path: string) => void;
  readonly failed: () => void;
  /** Told, at every pause, how many arrays the step that ends held (put or read): for budget fitting. */
  readonly stepHeld: (arrays: number) => void;
}

/** How many of its refs a unit hands on (outputs, children), as in the interpreter. */
const handOn = 2;

class Failure {
  constructor(readonly chain: readonly ChainLink[]) {}
}

export class Member {
  readonly path: string;
  readonly #program: Program;
  readonly #env: OracleEnv;
  readonly #random: () => number;
  #acc: number;
  readonly #refs: Box[];
  readonly #own: Box[] = [];
  #pc = 0;
  #scatters = 0;
  /** A write into a borrowed array happened in the current step (verify mode fails the step's pause). */
  #dirty = false;
  /** Arrays the current step put or read, and those of the step that ended last. */
  #held = 0;
  #lastHeld = 0;
  /** `holdScratch` ran: the unit holds a scratch array, its lease live until the next pause, then expired. */
  #heldScratch: 'none' | 'live' | 'expired' = 'none';
  /** `keepInstance` ran: the output carries a value no thread can take faithfully. */
  #instance = false;

  constructor(path: string, program: Program, input: MemberInput, env: OracleEnv) {
    this.path = path;
    this.#program = program;
    this.#env = env;
    this.#acc = input.acc >>> 0;
    this.#refs = [...input.refs];
    this.#random = oracleRandom(env.seed, path);
    env.started(path);
  }

  /** Resumes with a central's reply (none at the start) and runs to the next gather or the end. */
  run(reply: CentralReply | undefined): Arrival {
    if (reply) {
      this.#acc = mix(this.#acc, reply.acc);
      this.#refs.push(...reply.refs.slice(-handOn));
    }
    try {
      while (this.#pc < this.#program.length) {
        const instr = this.#program[this.#pc++] as Instr;
        if (instr.op === 'return') break;
        if (instr.op === 'gather') {
          this.#pause();
          const value: Gathered = { acc: this.#acc, ref: this.#refs.at(-1) ?? null };
          this.#disown(value.ref);
          return { kind: 'gather', central: instr.central, value };
        }
        this.#step(instr);
      }
      this.#pause();
      // An output that cannot cross a thread fails the unit as it returns, on every runner.
      if (this.#instance && this.path !== 'root') this.#fail([{ code: Code.notCloneable, unitPath: this.path }]);
      return { kind: 'returned', output: this.#output() };
    } catch (error) {
      // The failing step held its arrays too: a runner must fit them before it reaches the failure.
      this.#env.stepHeld(this.#held);
      if (error instanceof Failure) return { kind: 'failed', chain: error.chain };
      throw error;
    }
  }

  /** The unit's output; the root's is built by `rootOutput`. */
  #output(): MemberInput {
    return { acc: this.#acc, refs: this.#refs.slice(-handOn) };
  }

  /** The root's last refs: arrays returned as they are, anything else folded into acc. */
  rootOutput(): { acc: number; arrays: Float64Array[] } {
    let acc = this.#acc;
    const arrays: Float64Array[] = [];
    // The root's last step also reads back its last 3 refs.
    this.#env.stepHeld(this.#lastHeld + this.#refs.slice(-3).reduce((n, box) => n + arraysIn(box.value), 0));
    for (const box of this.#refs.slice(-3)) {
      if (box.value instanceof Float64Array) arrays.push(box.value);
      else acc = mix(acc, digestDeep(box.value));
    }
    return { acc, arrays };
  }

  /** A pause (scatter, gather, end): in verify mode a write in the step that ends fails the unit. */
  #pause(): void {
    const dirty = this.#dirty;
    this.#dirty = false;
    if (this.#heldScratch === 'live') this.#heldScratch = 'expired'; // every lease ends at a pause
    this.#env.stepHeld(this.#held);
    this.#lastHeld = this.#held;
    this.#held = 0;
    if (dirty && this.#env.verify) this.#fail([{ code: Code.pristine, unitPath: this.path }]);
  }

  #fail(chain: readonly ChainLink[]): never {
    this.#env.failed();
    throw new Failure(chain);
  }

  #step(instr: Exclude<Instr, { op: 'gather' | 'return' }>): void {
    if (instr.op === 'putArray' || instr.op === 'scratch' || instr.op === 'holdScratch' || (instr.op === 'update' && this.#own.length > 0)) this.#held++;
    if (instr.op === 'get' || instr.op === 'poke') this.#held += arraysIn(this.#pick(instr.slot)?.value);
    if (instr.op === 'derive') this.#held += 2 * arraysIn(this.#pick(instr.slot)?.value);
    // A nested value is counted by the store as bytes of its own, though it shares its parts' buffers: read twice, put once more.
    if (instr.op === 'putNested') this.#held += 2 * (arraysIn(this.#pick(instr.a)?.value) + arraysIn(this.#pick(instr.b)?.value));
    switch (instr.op) {
      case 'mix':
        this.#acc = mix(this.#acc, instr.k);
        return;
      case 'random':
        this.#acc = mix(this.#acc, Math.floor(this.#random() * 2 ** 32));
        return;
      case 'putPlain':
        this.#refs.push({ value: { acc: this.#acc } });
        return;
      case 'putArray': {
        const box = { value: makeArray(this.#acc, instr.length) };
        this.#refs.push(box);
        if (instr.transfer) this.#own.push(box);
        return;
      }
      case 'update': {
        const box = this.#own.pop();
        if (!box) return;
        const next = { value: changeInPlace(Float64Array.from(box.value as Float64Array), this.#acc) };
        this.#refs[this.#refs.indexOf(box)] = next;
        this.#own.push(next);
        return;
      }
      case 'get': {
        const box = this.#pick(instr.slot);
        this.#acc = mix(this.#acc, box ? digestDeep(box.value) : 0);
        return;
      }
      case 'derive': {
        const box = this.#pick(instr.slot);
        if (box) this.#refs.push({ value: derive(box.value, this.#acc) });
        return;
      }
      case 'putNested': {
        const a = this.#pick(instr.a);
        const b = this.#pick(instr.b);
        this.#disown(a ?? null);
        this.#disown(b ?? null);
        this.#refs.push({ value: nest(this.#acc, a ? a.value : null, b ? b.value : null) });
        return;
      }
      case 'putFrozen':
        this.#refs.push({ value: frozenTop(this.#acc) });
        return;
      case 'poke': {
        // Everything in the store is deeply immutable: any write into a plain container is refused.
        const box = this.#pick(instr.slot);
        if (box) this.#acc = mix(this.#acc, isContainer(box.value) ? PokeResult.refused : PokeResult.nothing);
        return;
      }
      case 'scratch': {
        this.#acc = mix(this.#acc, digestDeep(new Float64Array(instr.length)));
        const work = makeArray(this.#acc, instr.length);
        if (instr.keep) this.#refs.push({ value: work });
        else this.#acc = mix(this.#acc, digestDeep(work));
        return;
      }
      case 'keepInstance':
        this.#instance = true;
        return;
      case 'putInstance':
        // A class instance, function, symbol or WeakMap cannot cross a thread faithfully: every runner refuses it at the put.
        this.#acc = mix(this.#acc, hashString(Code.notCloneable));
        return;
      case 'mutate':
        this.#dirty = true;
        return;
      case 'holdScratch':
        this.#heldScratch = 'live';
        return;
      case 'useHeld':
        // Verify mode (the only mode programs with useHeld run in) fails a use after the lease ended;
        // the cause is the detached buffer's TypeError, which has no code and names no unit.
        if (this.#heldScratch === 'expired') this.#fail([{ code: Code.leaseExpired, unitPath: this.path }, { code: 'none', unitPath: undefined }]);
        if (this.#heldScratch === 'live') this.#acc = mix(this.#acc, 1); // a fresh scratch array is zero-filled: at(0) is 0
        return;
      case 'throw':
        return this.#fail([{ code: Code.programThrow, unitPath: undefined }]);
      case 'scatter':
        return this.#scatter(instr);
    }
  }

  #scatter(instr: Extract<Instr, { op: 'scatter' }>): void {
    this.#pause();
    const n = ++this.#scatters;
    const group = `${this.path}/${n === 1 ? 'interpret' : `interpret#${n}`}`;
    const passed = instr.passRefs ? this.#refs.slice(-handOn) : [];
    for (const box of passed) this.#disown(box);
    const inputs = instr.children.map((_, i) => ({ acc: mix(this.#acc, i), refs: passed }));
    const result = this.#env.runGroup(group, instr.children, inputs, instr.collect === true);
    if (result.ok && 'outcomes' in result) {
      // As the interpreter folds a collecting scatter: each output's acc, or each failure's signature.
      this.#acc = mix(this.#acc, foldAll(result.outcomes.map((o) => (o.ok ? o.output.acc : hashString(signatureOf(o.chain))))));
      for (const o of result.outcomes) if (o.ok) this.#refs.push(...o.output.refs);
    } else if (result.ok) {
      this.#acc = mix(this.#acc, foldAll(result.outputs.map((o) => o.acc)));
      for (const output of result.outputs) this.#refs.push(...output.refs);
    } else if (instr.catches) {
      this.#acc = mix(this.#acc, hashString(signatureOf(result.chain)));
    } else {
      this.#fail(result.chain);
    }
  }

  #pick(slot: number): Box | undefined {
    return this.#refs.length === 0 ? undefined : this.#refs[slot % this.#refs.length];
  }

  #disown(box: Box | null): void {
    const at = box ? this.#own.indexOf(box) : -1;
    if (at >= 0) this.#own.splice(at, 1);
  }
}

/** Typed arrays inside a value. */
function arraysIn(value: unknown): number {
  if (ArrayBuffer.isView(value)) return 1;
  if (typeof value !== 'object' || value === null) return 0;
  return Object.values(value).reduce((n: number, item) => n + arraysIn(item), 0);
}
