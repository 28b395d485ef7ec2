import { storeBytes } from './binary-parts.ts';
import { describeValue } from '../describe-value.ts';
import { ErrorCode, SkyloomError, SkyloomTypeError } from '../errors.ts';
import type { Emit } from '../events.ts';
import { deepFreeze } from '../freeze.ts';
import { isFlatRecord } from '../flat-record.ts';
import { ExpiredLeases } from './expired-leases.ts';
import { buffersOf } from './hand-over.ts';
import { detachAll, moveBuffers } from './lease.ts';
import { LeakDetector } from './leak-detector.ts';
import { Ownership } from './ownership.ts';
import { PristineLedger } from './pristine.ts';
import { isRef, makeRef, type Ref } from '../ref.ts';
import type { ScratchOp } from '../primitive.ts';
import type { PutOptions } from '../put.ts';
import { allocateScratch, type ScratchArray } from '../scratch.ts';
import type { Borrower, Store } from '../store.ts';

export interface MemoryStoreOptions {
  /**
   * Verify mode: checksum typed arrays at put and re-check them at the borrower's next pause; end
   * leases by detaching (a use after the pause fails with `SKY_LEASE_EXPIRED`); report refs found
   * unreachable but never freed (`SKY_REF_LEAKED` warnings through `emit`).
   */
  readonly verify: boolean;
  /** Prefix of ref ids, so refs from different stores (threads, runs) never collide. */
  readonly idPrefix?: string;
  /** Receives verify mode's leak warnings. */
  readonly emit?: Emit;
}

/**
 * The unbounded in-memory store of the inline runner (and of cluster hosts without a budget): a map
 * from ref id to frozen value. It never spills. Lifetimes are deterministic and need no garbage
 * collection: a ref is freed when the unit that put it ends, if its handle never left that unit, or
 * when the unit takes it back; the rest lives until the run ends. A free waits for the last running
 * step that borrows the ref.
 *
 * Does not cover budgets, recycling memory or freeing what a collection would find unreachable (a
 * superseded version a unit still could, but does not, read): in verify mode such refs are reported,
 * not freed (`LeakDetector`).
 */
/** A held value and its bookkeeping, found by one lookup of its id. */
interface Entry {
  readonly id: string;
  value: unknown;
  readonly bytes: number;
  /** Borrows by running steps (a step that got it twice counts twice). */
  pins: number;
  /** Freed while a running step borrows it: forgotten when the last such step ends. */
  doomed: boolean;
}

export class MemoryStore implements Store {
  readonly #values = new Map<string, Entry>();
  readonly #pristine: PristineLedger | undefined;
  readonly #leaks: LeakDetector | undefined;
  readonly #ownership = new Ownership();
  readonly #expired = new ExpiredLeases();
  /** What each borrower put or got during its current step. */
  readonly #borrowing = new Map<string, Entry[]>();
  /** Verify mode: buffers each borrower has in hand outside any ref (scratch arrays, taken values). */
  readonly #inHand = new Map<string, Set<ArrayBuffer>>();
  readonly #verify: boolean;
  /** Frozen values already passed to `share`. */
  readonly #shared = new WeakSet<object>();
  readonly #prefix: string;
  #next = 0;
  #bytes = 0;
  #peak = 0;
  #freed = 0;

  constructor(options: MemoryStoreOptions) {
    this.#verify = options.verify;
    this.#pristine = options.verify ? new PristineLedger() : undefined;
    this.#leaks = options.verify && options.emit && LeakDetector.enabled() ? new LeakDetector(options.emit, (id) => this.#values.has(id)) : undefined;
    this.#prefix = options.idPrefix ?? 'r';
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

  /** Values freed so far (their unit ended, or they were taken). */
  get freed(): number {
    return this.#freed;
  }

  put(value: unknown, borrower: Borrower, options?: PutOptions): Ref {
    const transfer = options?.transfer === true;
    const owned = this.#ownership.checkPut(value, borrower.path, transfer, (b) => this.#expired.whatWas(b));
    const id = `${this.#prefix}${++this.#next}`;
    const bytes = storeBytes(value);
    const frozen = deepFreeze(value);
    const ref = makeRef(id, bytes);
    const entry: Entry = { id, value: frozen, bytes, pins: 0, doomed: false };
    this.#values.set(id, entry);
    this.#pristine?.track(id, value);
    // The putter still holds the buffers: a write after put fails the writer at its next pause.
    this.#pristine?.borrow(borrower.path, id, value);
    this.#pin(borrower.path, entry);
    if (owned) {
      this.#ownership.adopt(id, frozen, borrower.path);
      if (this.#verify) for (const buffer of buffersOf(frozen)) this.#inHand.get(borrower.path)?.delete(buffer); // now the ref's (only verify mode tracks what is in hand)
    } else this.#ownership.putOrdinary(id, borrower.path);
    this.#bytes += bytes;
    if (this.#bytes > this.#peak) this.#peak = this.#bytes;
    this.#leaks?.track(ref, borrower.path);
    return ref;
  }

  get(ref: Ref, borrower: Borrower): unknown {
    if (!isRef(ref)) throw new SkyloomTypeError('get(ref)', 'a Ref returned by put()', describeValue(ref), { unitPath: borrower.path });
    const entry = this.#entryOf(ref.$ref, borrower.path);
    const value = entry.value;
    const violation = this.#pristine?.poisoned(ref.$ref);
    if (violation) throw violation;
    this.#pristine?.borrow(borrower.path, ref.$ref, value);
    this.#pin(borrower.path, entry);
    return value;
  }

  take(ref: Ref, borrower: Borrower): unknown {
    if (!isRef(ref)) throw new SkyloomTypeError('take(ref)', 'a Ref returned by put()', describeValue(ref), { unitPath: borrower.path });
    const id = ref.$ref;
    const entry = this.#entryOf(id, borrower.path);
    const value = entry.value;
    let mine = 0;
    for (const b of this.#borrowing.get(borrower.path) ?? []) if (b === entry) mine++;
    this.#ownership.checkTake(id, borrower.path, entry.pins > mine);
    entry.pins = 0; // this unit's own pins end with the ref
    this.#remove(id);
    this.#ownership.taken(id, borrower.path);
    if (this.#verify) this.#holdInHand(borrower.path, buffersOf(value));
    return value;
  }

  scratch(op: ScratchOp, borrower: Borrower): ScratchArray {
    const array = allocateScratch(op);
    this.#holdInHand(borrower.path, [array.buffer as ArrayBuffer]);
    return array;
  }

  endStep(borrower: Borrower, leaving?: unknown): SkyloomError | undefined {
    let violation = this.#pristine?.endStep(borrower.path);
    if (leaving !== undefined) {
      if (this.#verify) violation ??= this.#expired.passedOn(leaving, borrower.path); // only verify mode ends leases
      this.share(leaving);
    }
    const borrowed = this.#unpin(borrower.path);
    if (this.#verify) this.#endLeases(borrower, borrowed ?? []); // also when nothing was borrowed: scratch arrays in hand
    return violation;
  }

  endUnit(borrower: Borrower): void {
    for (const id of this.#ownership.unitEnded(borrower.path)) {
      const entry = this.#values.get(id);
      if (entry && entry.pins > 0) entry.doomed = true;
      else this.#free(id);
    }
    this.#inHand.delete(borrower.path);
    this.#expired.forgetUnit(borrower.path);
  }

  share(value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    // A frozen value shared once stays shared (its parts cannot change): a central result handed to
    // every member of a big group is walked once, not once per member.
    if (Object.isFrozen(value)) {
      if (this.#shared.has(value)) return;
      this.#shared.add(value);
    } else if (isFlatRecord(value) && !isRef(value)) return; // a gathered summary: no buffers nor refs to share, nothing to remember
    this.#ownership.share(value);
  }

  expiredLeases(borrower: Borrower): readonly string[] {
    return this.#expired.of(borrower.path);
  }

  close(): void {
    this.#leaks?.close();
    for (const id of this.#values.keys()) this.#pristine?.forget(id);
    this.#values.clear();
    this.#borrowing.clear();
    this.#inHand.clear();
    this.#bytes = 0;
  }

  /**
   * Verify mode: what the borrower had on lease is taken away from it, so a use after this pause fails
   * loudly on every runner: owned values no running step borrows any more move to fresh buffers, and
   * scratch arrays or taken values it did not put are detached.
   */
  #endLeases(borrower: Borrower, borrowed: readonly Entry[]): void {
    for (const { id } of new Set(borrowed)) {
      const entry = this.#values.get(id);
      if (!entry || entry.pins > 0 || !this.#ownership.owns(id)) continue;
      const buffers = buffersOf(entry.value);
      const { value, moved } = moveBuffers(entry.value, buffers);
      if (moved.size === 0) continue;
      entry.value = value;
      this.#ownership.rehomed(id, value);
      this.#expired.expire(borrower.path, `ref ${id}`, borrower.site, moved.keys());
    }
    const inHand = this.#inHand.get(borrower.path);
    if (!inHand) return;
    this.#inHand.delete(borrower.path);
    const loose = [...inHand].filter((b) => !this.#ownership.isOwned(b) && !this.#ownership.isShared(b));
    if (loose.length === 0) return;
    this.#expired.expire(borrower.path, 'a scratch array or taken value', borrower.site, loose);
    detachAll(loose);
  }


  #holdInHand(path: string, buffers: readonly ArrayBuffer[]): void {
    if (!this.#verify) return;
    let set = this.#inHand.get(path);
    if (!set) this.#inHand.set(path, (set = new Set()));
    for (const buffer of buffers) set.add(buffer);
  }

  /** The entry of `id`; throws `SKY_UNKNOWN_REF` (saying so if a unit took it). */
  #entryOf(id: string, unitPath: string): Entry {
    const entry = this.#values.get(id);
    if (!entry) {
      const taker = this.#ownership.takenBy(id);
      const why = taker === undefined ? "is not in this run's store" : `was taken by unit ${taker}`;
      throw new SkyloomError(ErrorCode.UnknownRef, `ref ${id} ${why}`, { unitPath, ref: id });
    }
    return entry;
  }

  #pin(path: string, entry: Entry): void {
    const borrowed = this.#borrowing.get(path);
    if (borrowed) borrowed.push(entry);
    else this.#borrowing.set(path, [entry]);
    entry.pins++;
  }

  /** Releases the borrower's pins; returns what it borrowed (undefined: nothing). */
  #unpin(path: string): Entry[] | undefined {
    const borrowed = this.#borrowing.get(path);
    if (!borrowed) return undefined;
    this.#borrowing.delete(path);
    for (const entry of borrowed) {
      if (--entry.pins > 0) continue;
      entry.pins = 0; // a taken entry's pins ended with the take
      if (entry.doomed) {
        entry.doomed = false;
        this.#free(entry.id);
      }
    }
    return borrowed;
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
    this.#leaks?.forget(id);
    this.#bytes -= entry.bytes;
    return true;
  }
}
