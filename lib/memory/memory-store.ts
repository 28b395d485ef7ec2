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
export class MemoryStore implements Store {
  readonly #values = new Map<string, { value: unknown; bytes: number }>();
  readonly #pristine: PristineLedger | undefined;
  readonly #leaks: LeakDetector | undefined;
  readonly #ownership = new Ownership();
  readonly #expired = new ExpiredLeases();
  /** Ids each borrower put or got during its current step. */
  readonly #borrowing = new Map<string, string[]>();
  readonly #pins = new Map<string, number>();
  /** Verify mode: buffers each borrower has in hand outside any ref (scratch arrays, taken values). */
  readonly #inHand = new Map<string, Set<ArrayBuffer>>();
  /** Refs freed while a running step borrows them: forgotten when the last such step ends. */
  readonly #doomed = new Set<string>();
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
    this.#values.set(id, { value: frozen, bytes });
    this.#pristine?.track(id, value);
    // The putter still holds the buffers: a write after put fails the writer at its next pause.
    this.#pristine?.borrow(borrower.path, id, value);
    this.#pin(borrower.path, id);
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
    let mine = 0;
    for (const b of this.#borrowing.get(borrower.path) ?? []) if (b === id) mine++;
    this.#ownership.checkTake(id, borrower.path, (this.#pins.get(id) ?? 0) > mine);
    this.#pins.delete(id); // this unit's own pins end with the ref
    this.#remove(id);
    this.#ownership.taken(id, value, borrower.path);
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
    const ids = this.#unpin(borrower.path);
    if (this.#verify) this.#endLeases(borrower, ids);
    return violation;
  }

  endUnit(borrower: Borrower): void {
    for (const id of this.#ownership.unitEnded(borrower.path)) {
      if (this.#pins.has(id)) this.#doomed.add(id);
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
    this.#pins.clear();
    this.#doomed.clear();
    this.#inHand.clear();
    this.#bytes = 0;
  }

  /**
   * Verify mode: what the borrower had on lease is taken away from it, so a use after this pause fails
   * loudly on every runner: owned values no running step borrows any more move to fresh buffers, and
   * scratch arrays or taken values it did not put are detached.
   */
  #endLeases(borrower: Borrower, ids: readonly string[]): void {
    for (const id of new Set(ids)) {
      const entry = this.#values.get(id);
      if (!entry || this.#pins.has(id) || !this.#ownership.owns(id)) continue;
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

  /** The value of `id`; throws `SKY_UNKNOWN_REF` (saying so if a unit took it). */
  #valueOf(id: string, unitPath: string): unknown {
    const entry = this.#values.get(id);
    if (!entry) {
      const taker = this.#ownership.takenBy(id);
      const why = taker === undefined ? "is not in this run's store" : `was taken by unit ${taker}`;
      throw new SkyloomError(ErrorCode.UnknownRef, `ref ${id} ${why}`, { unitPath, ref: id });
    }
    return entry.value;
  }

  #pin(path: string, id: string): void {
    let ids = this.#borrowing.get(path);
    if (!ids) this.#borrowing.set(path, (ids = []));
    ids.push(id);
    this.#pins.set(id, (this.#pins.get(id) ?? 0) + 1);
  }

  /** Releases the borrower's pins; returns the ids it borrowed. */
  #unpin(path: string): string[] {
    const ids = this.#borrowing.get(path) ?? [];
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
    return ids;
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
