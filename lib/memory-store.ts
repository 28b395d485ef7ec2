import { storeBytes } from './binary-parts.ts';
import { describeValue } from './describe-value.ts';
import { ErrorCode, SkyloomError, SkyloomTypeError } from './errors.ts';
import { deepFreeze } from './freeze.ts';
import { PristineLedger } from './pristine.ts';
import { isRef, makeRef, type Ref } from './ref.ts';
import type { Borrower, Store } from './store.ts';

export interface MemoryStoreOptions {
  /** Checksum typed arrays at put and re-check them at the borrower's next pause. */
  readonly verify: boolean;
  /** Prefix of ref ids, so refs from different stores (threads, runs) never collide. */
  readonly idPrefix?: string;
}

/**
 * The unbounded in-memory store of the inline runner: a map from ref id to frozen value.
 * It does not free unreachable values before `close()` and never spills.
 */
export class MemoryStore implements Store {
  readonly #values = new Map<string, { value: unknown; bytes: number }>();
  readonly #pristine: PristineLedger | undefined;
  readonly #prefix: string;
  #next = 0;
  #bytes = 0;
  #peak = 0;

  constructor(options: MemoryStoreOptions) {
    this.#pristine = options.verify ? new PristineLedger() : undefined;
    this.#prefix = options.idPrefix ?? 'r';
  }

  get bytes(): number {
    return this.#bytes;
  }

  get peakBytes(): number {
    return this.#peak;
  }

  put(value: unknown, borrower: Borrower): Ref {
    const id = `${this.#prefix}${++this.#next}`;
    const bytes = storeBytes(value);
    this.#values.set(id, { value: deepFreeze(value), bytes });
    this.#pristine?.track(id, value);
    // The putter still holds the buffers: a write after put fails the writer at its next pause.
    this.#pristine?.borrow(borrower.path, id, value);
    this.#bytes += bytes;
    if (this.#bytes > this.#peak) this.#peak = this.#bytes;
    return makeRef(id, bytes);
  }

  get(ref: Ref, borrower: Borrower): unknown {
    if (!isRef(ref)) throw new SkyloomTypeError('get(ref)', 'a Ref returned by put()', describeValue(ref), { unitPath: borrower.path });
    const entry = this.#values.get(ref.$ref);
    if (!entry) {
      throw new SkyloomError(ErrorCode.UnknownRef, `ref ${ref.$ref} is not in this run's store`, { unitPath: borrower.path, ref: ref.$ref });
    }
    const violation = this.#pristine?.poisoned(ref.$ref);
    if (violation) throw violation;
    this.#pristine?.borrow(borrower.path, ref.$ref, entry.value);
    return entry.value;
  }

  endStep(borrower: Borrower): SkyloomError | undefined {
    return this.#pristine?.endStep(borrower.path);
  }

  close(): void {
    for (const id of this.#values.keys()) this.#pristine?.forget(id);
    this.#values.clear();
    this.#bytes = 0;
  }
}
