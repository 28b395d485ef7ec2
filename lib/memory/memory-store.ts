import { storeBytes } from './binary-parts.ts';
import { describeValue } from '../describe-value.ts';
import { ErrorCode, SkyloomError, SkyloomTypeError } from '../errors.ts';
import { forceGc } from './force-gc.ts';
import { deepFreeze } from '../freeze.ts';
import { Ownership } from './ownership.ts';
import { PristineLedger } from './pristine.ts';
import { isRef, makeRef, type Ref } from '../ref.ts';
import { RefLifetimes } from './ref-lifetimes.ts';
import type { PutOptions } from '../put.ts';
import type { Borrower, Store } from '../store.ts';

export interface MemoryStoreOptions {
  /** Checksum typed arrays at put and re-check them at the borrower's next pause. */
  readonly verify: boolean;
  /** Prefix of ref ids, so refs from different stores (threads, runs) never collide. */
  readonly idPrefix?: string;
  /**
   * Free a value once the handle `put` returned for it is garbage-collected (contract 3). Default
   * true. A store whose refs cross threads must keep the handles it sends away itself (see
   * `RefLifetimes`); off, nothing is freed before `close()`.
   */
  readonly freeUnreachable?: boolean;
  /**
   * With `freeUnreachable`: once this many bytes were put since the last time, the next `beginStep`
   * waits for one turn of the event loop. Default 64 MiB. Why: a run that never waits on I/O (inline)
   * is one endless chain of microtasks, and V8 keeps every weakly held handle alive until the running
   * job ends and reports collected ones only in a task of its own; without a turn nothing would ever
   * be freed. A turn costs microseconds; `Infinity` never waits.
   */
  readonly turnAfterBytes?: number;
  /**
   * With `freeUnreachable`: at a turn, once the bytes the store holds grew this much above their
   * lowest since the last collection, run a full garbage collection and free what it found. Default
   * 256 MiB. Why: only a full collection finds a dropped handle, and V8 schedules those by its own heap
   * (a few MB of small objects), not by the megabytes of buffers behind them; measured, a second
   * inline focal-plane run in one process kept all 2.3 GB of versions. Growth, not bytes put: where V8
   * already frees in time (cluster hosts, whose steps end in tasks) bytes stay flat and no collection
   * is forced, as each costs 10-30 ms here. `Infinity` leaves it all to V8.
   */
  readonly collectAfterBytes?: number;
  /** The collection to run; default `forceGc()`, `null` for none. */
  readonly gc?: (() => void) | null;
}

const MiB = 2 ** 20;
const defaultTurnAfterBytes = 64 * MiB;
const defaultCollectAfterBytes = 256 * MiB;

/**
 * The unbounded in-memory store of the inline runner (and of cluster hosts without a budget): a map
 * from ref id to frozen value. It never spills; it frees a value once nobody can reach its ref any
 * more (the collection that finds the handle dead frees the value; the store's accounting follows
 * with the finalizer), but its bookkeeping not while a running step borrows it: in verify mode that
 * step's end re-checks the value against its checksum. Timing is up to V8, nudged by `turnAfterBytes`
 * and `collectAfterBytes`. Refs rebuilt from an id (not the handle `put` returned) keep nothing alive.
 */
export class MemoryStore implements Store {
  /**
   * With freeing on, an entry holds its value only through its handle (`#held`, an ephemeron): the
   * collection that finds the handle dead frees the value's buffers too, instead of the store letting
   * go after a finalizer and a second collection freeing them (measured: ~1.6x the collections).
   * Lookups by id go through a weak reference to the handle.
   */
  readonly #values = new Map<string, { value?: unknown; handle?: WeakRef<Ref>; bytes: number }>();
  readonly #held = new WeakMap<Ref, unknown>();
  readonly #pristine: PristineLedger | undefined;
  readonly #lifetimes: RefLifetimes | undefined;
  /** Which values were handed over with `transfer`, and which refs a unit may `take`. */
  readonly #ownership = new Ownership();
  /** Ids each borrower put or got during its current step. */
  readonly #borrowing = new Map<string, string[]>();
  readonly #pins = new Map<string, number>();
  /** Refs found unreachable while pinned: freed when the last step borrowing them ends. */
  readonly #doomed = new Set<string>();
  readonly #prefix: string;
  readonly #turnAfter: number;
  readonly #collectAfter: number;
  readonly #gc: (() => void) | undefined;
  /** Bytes put since the event loop last had a turn. */
  #sinceTurn = 0;
  /** Fewest bytes held since the last collection (growth above it triggers the next). */
  #low = 0;
  #collections = { count: 0, ms: 0 };
  #next = 0;
  #bytes = 0;
  #peak = 0;
  #freed = 0;

  constructor(options: MemoryStoreOptions) {
    this.#pristine = options.verify ? new PristineLedger() : undefined;
    this.#prefix = options.idPrefix ?? 'r';
    this.#lifetimes = (options.freeUnreachable ?? true) ? new RefLifetimes((id) => this.#unreachable(id)) : undefined;
    this.#turnAfter = options.turnAfterBytes ?? defaultTurnAfterBytes;
    this.#collectAfter = options.collectAfterBytes ?? defaultCollectAfterBytes;
    this.#gc = options.gc === null ? undefined : (options.gc ?? forceGc());
  }

  get bytes(): number {
    return this.#bytes;
  }

  get peakBytes(): number {
    return this.#peak;
  }

  /** Values held now. */
  get size(): number {
    return this.#values.size;
  }

  /** Full collections this store ran (see `collectAfterBytes`) and their wall time. */
  get collections(): { readonly count: number; readonly ms: number } {
    return { ...this.#collections };
  }

  /** Values freed so far because their ref became unreachable. */
  get freed(): number {
    return this.#freed;
  }

  /**
   * Frees at once what a garbage collection the caller just ran found unreachable (finalizers would
   * only report it a task later); returns how many handles it found. Never throws. Not for a hot
   * loop: it dereferences every live handle, which V8 then keeps alive until the current job ends.
   */
  sweep(): number {
    return this.#lifetimes?.sweep() ?? 0;
  }

  /** Gives the event loop a turn when enough was put since the last one (see `turnAfterBytes`). */
  beginStep(_borrower: Borrower): void | Promise<void> {
    if (!this.#lifetimes || this.#sinceTurn < this.#turnAfter) return undefined;
    this.#sinceTurn = 0;
    // Finalizer tasks run in the turn. Sweep only after a collection: `deref()` keeps a live handle
    // alive until the job ends, so a sweep every turn would keep every handle from turn to turn.
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        this.#collect();
        resolve();
      }),
    );
  }

  #collect(): void {
    if (!this.#gc || this.#bytes - this.#low < this.#collectAfter) return;
    const t0 = performance.now();
    this.#gc();
    this.sweep();
    this.#low = this.#bytes;
    this.#collections = { count: this.#collections.count + 1, ms: this.#collections.ms + performance.now() - t0 };
  }

  put(value: unknown, borrower: Borrower, options?: PutOptions): Ref {
    const transfer = options?.transfer === true;
    this.#ownership.checkPut(value, borrower.path, transfer);
    const id = `${this.#prefix}${++this.#next}`;
    const bytes = storeBytes(value);
    const frozen = deepFreeze(value);
    const ref = makeRef(id, bytes);
    if (this.#lifetimes) {
      this.#held.set(ref, frozen);
      this.#values.set(id, { handle: new WeakRef(ref), bytes });
    } else {
      this.#values.set(id, { value: frozen, bytes });
    }
    this.#pristine?.track(id, value);
    // The putter still holds the buffers: a write after put fails the writer at its next pause.
    this.#pristine?.borrow(borrower.path, id, value);
    this.#pin(borrower.path, id);
    if (transfer) this.#ownership.adopt(id, frozen, borrower.path);
    this.#bytes += bytes;
    this.#sinceTurn += bytes;
    if (this.#bytes > this.#peak) this.#peak = this.#bytes;
    this.#lifetimes?.track(ref);
    return ref;
  }

  get(ref: Ref, borrower: Borrower): unknown {
    if (!isRef(ref)) throw new SkyloomTypeError('get(ref)', 'a Ref returned by put()', describeValue(ref), { unitPath: borrower.path });
    const value = this.#valueOf(ref.$ref, borrower.path);
    const violation = this.#pristine?.poisoned(ref.$ref);
    if (violation) throw violation;
    this.#pristine?.borrow(borrower.path, ref.$ref, value);
    this.#pin(borrower.path, ref.$ref);
    return value;
  }

  take(ref: Ref, borrower: Borrower): unknown {
    if (!isRef(ref)) throw new SkyloomTypeError('take(ref)', 'a Ref returned by put()', describeValue(ref), { unitPath: borrower.path });
    const id = ref.$ref;
    const value = this.#valueOf(id, borrower.path);
    const mine = this.#borrowing.get(borrower.path)?.filter((b) => b === id).length ?? 0;
    this.#ownership.checkTake(id, borrower.path, (this.#pins.get(id) ?? 0) > mine);
    this.#pins.delete(id); // this unit's own pins end with the ref
    this.#remove(id);
    this.#ownership.taken(id, value, borrower.path);
    return value;
  }

  endStep(borrower: Borrower, leaving?: unknown): SkyloomError | undefined {
    const violation = this.#pristine?.endStep(borrower.path);
    if (leaving !== undefined) this.#ownership.share(leaving);
    this.#unpin(borrower.path);
    return violation;
  }

  endUnit(borrower: Borrower): void {
    for (const id of this.#ownership.unitEnded(borrower.path)) this.#unreachable(id);
  }

  share(value: unknown): void {
    this.#ownership.share(value);
  }

  /** The value of `id`; throws `SKY_UNKNOWN_REF` (saying so if a unit took it). */
  #valueOf(id: string, unitPath: string): unknown {
    const entry = this.#values.get(id);
    // A handle already collected (its finalizer not run yet) reaches nothing: nobody could hold it.
    const handle = entry?.handle?.deref();
    if (!entry || (entry.handle && !handle)) {
      const taker = this.#ownership.takenBy(id);
      const why = taker === undefined ? 'is not in this run\'s store' : `was taken by unit ${taker}`;
      throw new SkyloomError(ErrorCode.UnknownRef, `ref ${id} ${why}`, { unitPath, ref: id });
    }
    return handle ? this.#held.get(handle) : entry.value;
  }

  close(): void {
    this.#lifetimes?.close();
    for (const id of this.#values.keys()) this.#pristine?.forget(id);
    this.#values.clear();
    this.#borrowing.clear();
    this.#pins.clear();
    this.#doomed.clear();
    this.#bytes = 0;
  }

  /** Defers frees, and tells `take` who else borrows a ref. */
  #pin(path: string, id: string): void {
    let ids = this.#borrowing.get(path);
    if (!ids) this.#borrowing.set(path, (ids = []));
    ids.push(id);
    this.#pins.set(id, (this.#pins.get(id) ?? 0) + 1);
  }

  #unpin(path: string): void {
    const ids = this.#borrowing.get(path);
    if (!ids) return;
    this.#borrowing.delete(path);
    for (const id of ids) {
      const left = (this.#pins.get(id) ?? 1) - 1;
      if (left > 0) {
        this.#pins.set(id, left);
        continue;
      }
      this.#pins.delete(id);
      if (this.#doomed.delete(id)) this.#free(id);
    }
  }

  #unreachable(id: string): void {
    if (this.#pins.has(id)) this.#doomed.add(id);
    else this.#free(id);
  }

  #free(id: string): void {
    if (this.#remove(id)) this.#freed++;
  }

  /** Forgets `id`; false if it was not held. */
  #remove(id: string): boolean {
    const entry = this.#values.get(id);
    if (!entry) return false;
    this.#values.delete(id);
    this.#pristine?.forget(id);
    this.#ownership.forget(id);
    this.#bytes -= entry.bytes;
    this.#low = Math.min(this.#low, this.#bytes);
    return true;
  }
}
