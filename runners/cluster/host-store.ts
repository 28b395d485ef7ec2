/**
 * The store of one worker host: refs this host made live in its own store (a `MemoryStore`, or the
 * laptop runner's `BudgetedStore` under a per-host budget); a `get` of a ref another host owns fetches
 * a transferred copy through the coordinator. In verify mode the copy is checksummed on arrival and
 * re-checked at the borrower's next pause, so mutating a borrowed buffer fails on any host.
 *
 * Remote copies are not cached (owner computes: remote reads are the exception) and do not count in
 * this host's bytes.
 */
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import { deepFreeze } from '../../lib/freeze.ts';
import { PristineLedger } from '../../lib/memory/pristine.ts';
import { isRef, type Ref } from '../../lib/ref.ts';
import type { PutOptions } from '../../lib/put.ts';
import type { ScratchOp } from '../../lib/primitive.ts';
import { allocateScratch, type ScratchArray } from '../../lib/scratch.ts';
import type { Borrower, Store } from '../../lib/store.ts';
import type { ResidentByUnit } from './resident-by-unit.ts';


export class HostStore implements Store {
  readonly #own: Store;
  readonly #prefix: string;
  readonly #fetch: (refId: string) => Promise<unknown>;
  readonly #remote: PristineLedger | undefined;

  /** Attributes the store's resident bytes to the units that put them (budgeted hosts). */
  readonly #byUnit: ResidentByUnit | undefined;

  constructor(own: Store, prefix: string, fetch: (refId: string) => Promise<unknown>, verify: boolean, byUnit?: ResidentByUnit) {
    this.#own = own;
    this.#byUnit = byUnit;
    this.#prefix = prefix;
    this.#fetch = fetch;
    this.#remote = verify ? new PristineLedger() : undefined;
  }

  get bytes(): number {
    return this.#own.bytes;
  }

  get peakBytes(): number {
    return this.#own.peakBytes;
  }

  beginStep(borrower: Borrower): void | Promise<void> {
    return this.#own.beginStep?.(borrower);
  }

  put(value: unknown, borrower: Borrower, options?: PutOptions): Ref | Promise<Ref> {
    const ref = this.#own.put(value, borrower, options);
    const byUnit = this.#byUnit;
    if (!byUnit) return ref;
    const track = (r: Ref): Ref => (byUnit.put(r.$ref, borrower.path, r.bytes), r);
    return ref instanceof Promise ? ref.then(track) : track(ref);
  }

  share(value: unknown): void {
    this.#own.share?.(value);
  }

  scratch(op: ScratchOp, borrower: Borrower): ScratchArray | Promise<ScratchArray> {
    return this.#own.scratch ? this.#own.scratch(op, borrower) : allocateScratch(op);
  }

  expiredLeases(borrower: Borrower): readonly string[] {
    return this.#own.expiredLeases?.(borrower) ?? [];
  }

  get(ref: Ref, borrower: Borrower): unknown {
    if (!isRef(ref) || ref.$ref.startsWith(this.#prefix)) return this.#own.get(ref, borrower);
    return this.#getRemote(ref.$ref, borrower);
  }

  take(ref: Ref, borrower: Borrower): unknown {
    if (!isRef(ref) || ref.$ref.startsWith(this.#prefix)) {
      const value = this.#own.take(ref, borrower);
      this.#byUnit?.gone(ref.$ref); // the unit's own now, not the store's
      return value;
    }
    const message = `take(ref) in unit ${borrower.path}: expected a ref it put and kept to itself, got ref ${ref.$ref} of another thread`;
    throw new SkyloomError(ErrorCode.Transfer, message, { unitPath: borrower.path, ref: ref.$ref });
  }

  async #getRemote(id: string, borrower: Borrower): Promise<unknown> {
    const poisoned = this.#remote?.poisoned(id);
    if (poisoned) throw poisoned;
    const value = deepFreeze(await this.#fetch(id));
    this.#own.share?.(value); // a copy of another host's ref: lent like a get, not the unit's to transfer
    this.#remote?.track(id, value);
    this.#remote?.borrow(borrower.path, id, value);
    return value;
  }

  endStep(borrower: Borrower, leaving?: unknown): SkyloomError | undefined {
    const remote = this.#remote?.endStep(borrower.path);
    const own = this.#own.endStep(borrower, leaving);
    return own ?? remote;
  }

  endUnit(borrower: Borrower): void {
    this.#own.endUnit?.(borrower);
  }

  close(): void | Promise<void> {
    return this.#own.close();
  }
}
