import { describeValue } from './describe-value.ts';
import { ErrorCode, SkyloomTypeError } from './errors.ts';
import { isPrimitive, type Primitive } from './primitive.ts';

/** What the runner sends back into a paused generator: a value, or an error thrown at the yield site. */
export type Reply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** What the generator did when resumed: paused on a primitive, or returned. (A throw rejects.) */
export type Yielded = { readonly done: false; readonly op: Primitive } | { readonly done: true; readonly value: unknown };

export const start: Reply = Object.freeze({ ok: true, value: undefined });

/** Most yields a generator may make from `finally` blocks while being cancelled before we give up on it. */
const maxYieldsWhileCancelling = 100;

/**
 * Drives one async generator: resumes it with a reply (or throws the reply's error into it at the
 * yield site) and reports the next primitive it yields. It knows nothing of what primitives mean.
 */
export class Activator {
  readonly #gen: AsyncGenerator<unknown, unknown, unknown>;

  constructor(gen: AsyncGenerator<unknown, unknown, unknown>) {
    this.#gen = gen;
  }

  /** Resumes the generator. Rejects with whatever the generator throws. (Chained, not `async`: one turn of the microtask queue less per primitive.) */
  resume(reply: Reply): Promise<Yielded> {
    return (reply.ok ? this.#gen.next(reply.value) : this.#gen.throw(reply.error)).then(this.#yielded);
  }

  /**
   * The hot path of a unit's step (`Unit.advance`): resumes the generator with `value` (or throws
   * `error` into it when `failed`) and hands back the generator's own promise, with no reply object
   * and no `then` of ours per primitive. The caller checks what it yielded with `yieldedOf`.
   */
  next(value: unknown, failed: boolean, error?: unknown): Promise<IteratorResult<unknown, unknown>> {
    return failed ? this.#gen.throw(error) : this.#gen.next(value);
  }

  /** What `next` resolved with, as `resume` reports it: a yield of something that is not a primitive is thrown back into the generator (a promise then). */
  yieldedOf(r: IteratorResult<unknown, unknown>): Yielded | Promise<Yielded> {
    return this.#yielded(r);
  }

  readonly #yielded = (r: IteratorResult<unknown, unknown>): Yielded | Promise<Yielded> => {
    if (r.done) return { done: true, value: r.value };
    if (!isPrimitive(r.value)) return this.#gen.throw(notAPrimitive(r.value)).then(this.#yielded);
    return { done: false, op: r.value }; // checked above
  };

  /**
   * Cancels the generator with `return()`, so its `finally` blocks run. A primitive yielded from a
   * `finally` while cancelling is not carried out: the generator is returned again at that yield,
   * which ends that block there. Never throws: an error from a `finally` is returned.
   */
  async cancel(): Promise<unknown> {
    try {
      let r = await this.#gen.return(undefined);
      for (let i = 0; !r.done && i < maxYieldsWhileCancelling; i++) r = await this.#gen.return(undefined);
      return undefined;
    } catch (error) {
      return error;
    }
  }
}

function notAPrimitive(value: unknown): SkyloomTypeError {
  return new SkyloomTypeError('yielded value', 'a skyloom primitive (write `yield* get(ref)`, not `yield get(ref)`)', describeValue(value), {
    code: ErrorCode.NotAPrimitive,
  });
}
