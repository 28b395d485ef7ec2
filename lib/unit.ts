import { Activator, type Reply } from './activator.ts';
import type { Algorithm } from './algorithm.ts';
import type { Context } from './context.ts';
import { cancelled, codeOf, ErrorCode, SkyloomError } from './errors.ts';
import type { Emit } from './events.ts';
import { deepFreeze } from './freeze.ts';
import type { GatherOp, GetOp, Primitive, PutOp, ScatterOp, ScratchOp } from './primitive.ts';
import { seededRandom } from './random.ts';
import { allocateScratch, scratchBytes } from './scratch.ts';
import type { StatsRecorder } from './stats.ts';
import type { Ref } from './ref.ts';
import type { Borrower, Store } from './store.ts';

export interface UnitSpec {
  readonly algorithm: Algorithm<unknown, unknown>;
  readonly input: unknown;
  readonly path: string;
  readonly index: number;
  readonly size: number;
}

export interface UnitEnv {
  readonly seed: number;
  readonly store: Store;
  readonly emit: Emit;
  readonly stats: StatsRecorder;
}

/** Where a unit stopped: at a scatter or gather it cannot carry out alone, or at its end. */
export type Pause =
  | { readonly kind: 'scatter'; readonly op: ScatterOp; readonly site: string; readonly group: string; readonly children: readonly UnitSpec[] }
  | { readonly kind: 'gather'; readonly op: GatherOp; readonly site: string }
  | { readonly kind: 'returned'; readonly value: unknown; readonly site: string }
  | { readonly kind: 'failed'; readonly error: unknown; readonly site: string };

/**
 * One coroutine. `advance` resumes it and runs its step: `put` and `get` are carried out against the
 * store on the spot; at a scatter, a gather or the end it stops and reports the pause. Runners decide
 * what a pause means; a unit knows nothing of groups or threads.
 */
export class Unit implements Borrower {
  readonly path: string;
  readonly index: number;
  readonly size: number;
  readonly #env: UnitEnv;
  /** Made on first use (`ctx.signal`, or a cancel): most units never look at their signal, and one costs about a µs. */
  #abort: AbortController | undefined;
  readonly #counts: Record<Primitive['kind'], number> = { put: 0, get: 0, scratch: 0, scatter: 0, gather: 0 };
  /** Bytes this step has in hand: refs got or taken (once each), values put, scratch arrays (each buffer once). */
  readonly #stepRefs = new Set<string>();
  /** This step's scratch arrays, by buffer: a put of one is the same memory, not counted again. */
  readonly #stepScratch = new Set<ArrayBufferLike>();
  #stepBytes = 0;
  readonly #labels = new Map<string, number>();
  readonly #activator: Activator | undefined;
  readonly #startError: { error: unknown } | undefined;
  /** The last primitive yielded and its number of that kind (`site` spells them only when asked: most steps never need the string). */
  #lastKind: Primitive['kind'] | undefined;
  #lastCount = 0;
  /** `site` as last spelt, and for which primitive. */
  #siteText = 'start';
  #siteKind: Primitive['kind'] | undefined;
  #siteCount = 0;
  #started = false;
  #bytesPut = 0;

  constructor(spec: UnitSpec, env: UnitEnv) {
    this.path = spec.path;
    this.index = spec.index;
    this.size = spec.size;
    this.#env = env;
    env.store.share?.(spec.input); // not the unit's to transfer or take
    try {
      this.#activator = new Activator(spec.algorithm.fn(this.#context(), spec.input));
    } catch (error) {
      this.#startError = { error }; // e.g. a parameter default that throws
    }
  }

  /** Bytes this unit has put into the store so far (store accounting). */
  get bytesPut(): number {
    return this.#bytesPut;
  }

  /** The site of the last primitive this unit yielded (`gather#2`), or `start`. */
  get site(): string {
    if (this.#lastKind === undefined) return 'start';
    if (this.#siteCount !== this.#lastCount || this.#siteKind !== this.#lastKind) {
      this.#siteKind = this.#lastKind;
      this.#siteCount = this.#lastCount;
      this.#siteText = `${this.#lastKind}#${this.#lastCount}`;
    }
    return this.#siteText;
  }

  /**
   * Resumes the unit with `reply` and runs it to its next pause. Never rejects.
   *
   * The hot path of every runner: per primitive it awaits only the generator's own promise (and the
   * store's answer when that is a promise), with no reply object, closure or string of its own.
   */
  async advance(reply: Reply): Promise<Pause> {
    this.#announceResume();
    if (reply.ok) this.#env.store.share?.(reply.value); // a scatter's or gather's result: not the unit's to transfer
    const prefetch = this.#env.store.beginStep?.(this);
    if (prefetch instanceof Promise) await prefetch;
    const activator = this.#activator;
    if (!activator) return this.#end({ kind: 'failed', error: this.#startError?.error, site: this.site });
    let value = reply.ok ? reply.value : undefined;
    let failed = !reply.ok;
    let error = reply.ok ? undefined : reply.error;
    for (;;) {
      let yielded;
      try {
        const y = activator.yieldedOf(await activator.next(value, failed, error));
        yielded = y instanceof Promise ? await y : y;
      } catch (thrown) {
        return this.#end({ kind: 'failed', error: this.#explain(thrown), site: this.site });
      }
      if (yielded.done) return this.#end({ kind: 'returned', value: deepFreeze(yielded.value), site: this.site });
      const op = yielded.op;
      this.#lastKind = op.kind;
      this.#lastCount = ++this.#counts[op.kind];
      this.#env.stats.primitives[op.kind === 'get' && op.take === true ? 'take' : op.kind]++;
      if (op.kind === 'gather') return this.#end({ kind: 'gather', op, site: this.site });
      if (op.kind === 'scatter') return this.#end({ kind: 'scatter', op, site: this.site, ...this.#children(op) });
      failed = false;
      error = undefined;
      try {
        value = this.#primitive(op);
        if (value instanceof Promise) value = await value; // a store that answers at once is not awaited: each await is a turn of the microtask queue
      } catch (thrown) {
        failed = true;
        error = thrown;
        value = undefined;
      }
    }
  }

  /** Cancels the unit: aborts its signal and runs its `finally` blocks. Never rejects. */
  async cancel(): Promise<void> {
    (this.#abort ??= new AbortController()).abort(cancelled(this.path));
    await this.#activator?.cancel();
    this.#env.store.endStep(this);
    this.#env.store.endUnit?.(this);
    this.#env.emit({ type: 'unit-cancelled', path: this.path });
  }

  #signal(): AbortSignal {
    return (this.#abort ??= new AbortController()).signal;
  }

  /** The group a scatter makes: `path/label`, or `path/label#n` for this unit's n-th scatter with that label. */
  #children(op: ScatterOp): { group: string; children: UnitSpec[] } {
    const n = (this.#labels.get(op.label) ?? 0) + 1;
    this.#labels.set(op.label, n);
    const group = `${this.path}/${n === 1 ? op.label : `${op.label}#${n}`}`;
    const inputs = deepFreeze([...op.inputs]);
    const size = inputs.length;
    const children = inputs.map((input, index) => ({ algorithm: op.child, input, path: `${group}:${index}`, index, size }));
    return { group, children };
  }

  /** Carries out a primitive that does not end the step. A store that answers at once is not awaited (each await is a turn of the microtask queue, per primitive). */
  #primitive(op: PutOp | GetOp | ScratchOp): unknown {
    if (op.kind === 'put') {
      const ref = this.#env.store.put(op.value, this, op.transfer === true ? { transfer: true } : undefined);
      return ref instanceof Promise ? ref.then((r) => this.#afterPut(r, op.value)) : this.#afterPut(ref, op.value);
    }
    if (op.kind === 'scratch') return this.#scratch(op);
    return this.#get(op.ref, op.take === true);
  }

  #afterPut(ref: Ref, value: unknown): Ref {
    this.#bytesPut += ref.bytes;
    this.#stepRefs.add(ref.$ref); // a get of it later in this step is the same memory
    this.#inHand(Math.max(0, ref.bytes - this.#scratchIn(value)));
    return ref;
  }

  #get(ref: Ref, take: boolean): unknown {
    const value = take ? this.#env.store.take(ref, this) : this.#env.store.get(ref, this);
    if (!this.#stepRefs.has(ref.$ref)) {
      this.#stepRefs.add(ref.$ref);
      this.#inHand(ref.bytes);
    }
    return value;
  }

  async #scratch(op: ScratchOp): Promise<unknown> {
    const array = await (this.#env.store.scratch ? this.#env.store.scratch(op, this) : allocateScratch(op));
    this.#inHand(scratchBytes(op));
    this.#stepScratch.add(array.buffer);
    return array;
  }

  /** Bytes of this step's scratch arrays in `value` itself or its own members (the usual ways to put them). */
  #scratchIn(value: unknown): number {
    if (this.#stepScratch.size === 0 || typeof value !== 'object' || value === null) return 0;
    const parts = ArrayBuffer.isView(value) ? [value] : Object.values(value as object);
    let bytes = 0;
    for (const part of parts) if (ArrayBuffer.isView(part) && this.#stepScratch.delete(part.buffer)) bytes += part.buffer.byteLength;
    return bytes;
  }

  #inHand(bytes: number): void {
    this.#stepBytes += bytes;
    if (this.#stepBytes > this.#env.stats.peakStepBytes) this.#env.stats.peakStepBytes = this.#stepBytes;
  }

  /**
   * A TypeError about a detached buffer, in a unit whose leases the store ended (verify mode detaches
   * them at the pause), is the use of an expired lease: say so, with what it was and where it ended.
   */
  #explain(error: unknown): unknown {
    if (!(error instanceof TypeError) || !/detached/i.test(error.message)) return error;
    const leases = this.#env.store.expiredLeases?.(this) ?? [];
    if (leases.length === 0) return error;
    return new SkyloomError(
      ErrorCode.LeaseExpired,
      `unit ${this.path} used an array after its lease ended (most recently: ${leases.at(-1)}): what get/take return, ` +
        'values it put and scratch arrays are only valid until the unit\'s next pause; get the value again after the pause',
      { unitPath: this.path, site: this.site, cause: error },
    );
  }

  #announceResume(): void {
    if (this.#started) return this.#env.emit({ type: 'unit-resumed', path: this.path, site: this.site });
    this.#started = true;
    this.#env.stats.units++;
    this.#env.emit({ type: 'unit-started', path: this.path });
  }

  /** Ends the step: verify-mode checks turn any pause into a failure of this unit. Answers at once unless it must cancel the generator. */
  #end(pause: Pause): Pause | Promise<Pause> {
    this.#stepBytes = 0;
    if (this.#stepRefs.size > 0) this.#stepRefs.clear();
    if (this.#stepScratch.size > 0) this.#stepScratch.clear();
    const violation = this.#env.store.endStep(this, leavingAt(pause));
    if (this.#abort?.signal.aborted) return pause; // cancelled mid-step: `cancel()` reports it
    if (violation && pause.kind !== 'failed') {
      const failed: Pause = { kind: 'failed', error: violation, site: pause.site };
      return Promise.resolve(this.#activator?.cancel()).then(() => this.#ended(failed));
    }
    return this.#ended(pause);
  }

  #ended(pause: Pause): Pause {
    if (pause.kind === 'returned' || pause.kind === 'failed') this.#env.store.endUnit?.(this);
    this.#report(pause);
    return pause;
  }

  #report(pause: Pause): void {
    const { path } = this;
    if (pause.kind === 'returned') return this.#env.emit({ type: 'unit-finished', path });
    if (pause.kind !== 'failed') return this.#env.emit({ type: 'unit-paused', path, site: pause.site });
    const error = pause.error;
    const message = error instanceof Error ? error.message : String(error);
    this.#env.emit({ type: 'unit-failed', path, site: pause.site, code: codeOf(error) ?? 'ERR_USER', message });
  }

  #context(): Context {
    const { path, index, size } = this;
    const emit = this.#env.emit;
    const unit = this; // the getter below is the context's: `this` there is the context
    return Object.freeze({
      path,
      index,
      size,
      get signal(): AbortSignal {
        return unit.#signal();
      },
      random: seededRandom(this.#env.seed, path),
      log: (...args: unknown[]) => emit({ type: 'log', path, message: args.map(formatLogArg).join(' ') }),
    });
  }
}

/** What a pause hands on to others: its buffers and refs are no longer the unit's alone (`Store.endStep`). */
function leavingAt(pause: Pause): unknown {
  if (pause.kind === 'returned') return pause.value;
  if (pause.kind === 'gather') return pause.op.value;
  if (pause.kind === 'scatter') return pause.op.inputs;
  return undefined;
}

function formatLogArg(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return String(arg);
  }
}
