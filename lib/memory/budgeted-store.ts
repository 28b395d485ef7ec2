import { storeBytes } from './binary-parts.ts';
import { parseByteSize } from '../byte-size.ts';
import { describeValue } from '../describe-value.ts';
import { ErrorCode, SkyloomError, SkyloomTypeError } from '../errors.ts';
import type { Emit } from '../events.ts';
import { deepFreeze } from '../freeze.ts';
import { buffersOf } from './hand-over.ts';
import { HeldBuffers } from './held-buffers.ts';
import { Ownership } from './ownership.ts';
import { MemoryPolicy } from './memory-policy.ts';
import { PristineLedger } from './pristine.ts';
import { isRef, makeRef, type Ref } from '../ref.ts';
import { ExpiredLeases } from './expired-leases.ts';
import { LeakDetector } from './leak-detector.ts';
import { detachAll, moveBuffers } from './lease.ts';
import { RetentionCheck } from './retention-check.ts';
import { nodeSpillIo } from './spill-file.ts';
import { probeDirectory } from './probe-directory.ts';
import type { BudgetedStoreOptions } from './budgeted-store-options.ts';

export type { BudgetedStoreOptions } from './budgeted-store-options.ts';
import { SpillStore, type SpillIoStats } from './spill-store.ts';
import type { PutOptions } from '../put.ts';
import type { ScratchOp } from '../primitive.ts';
import { scratchTypes, type ScratchArray } from '../scratch.ts';
import { sizeClass } from './size-class.ts';
import type { Borrower, Store } from '../store.ts';
import { returnedUncollected } from './return-pages.ts';

/**
 * A `Store` that keeps everything a run holds within a memory budget by spilling to disk: values in
 * memory, values units took out, scratch arrays and spare buffers kept for recycling. `SpillStore` is
 * the mechanism, `MemoryPolicy` the policy, and this class the glue with leases (a `get`, `take`, put
 * value or scratch array is the unit's until its next pause; a value pinned meanwhile is never
 * dropped), verify-mode checks, lifetimes and events. Self-contained: any thread can `open` one with
 * plain options (the laptop runner uses one; a worker host can too).
 *
 * Lifetimes need no garbage collection: a value leaves memory when the policy drops it or the store
 * frees it (its unit ended and its handle never left it, or the unit took it), and memory of values
 * the store owns is recycled at once (spare buffers). Outside verify mode a paused unit's local that
 * still points at such memory sees it reused (using it is the unit's bug: its lease ended); in verify
 * mode leases are detached at the pause, and a use fails with `SKY_LEASE_EXPIRED`.
 *
 * Does not cover scheduling (which unit runs when) nor sharing refs across threads.
 */
export class BudgetedStore implements Store {
  readonly budget: number;
  readonly directory: string;
  readonly #spill: SpillStore;
  readonly #policy: MemoryPolicy;
  readonly #pristine: PristineLedger | undefined;
  readonly #leaks: LeakDetector | undefined;
  readonly #retention: RetentionCheck | undefined;
  /** Which values the store owns (their memory is recycled once they leave memory), which refs a unit may `take`. */
  readonly #ownership = new Ownership();
  readonly #expired = new ExpiredLeases();
  readonly #verify: boolean;
  readonly #holders = new Map<string, Set<string>>();
  /**
   * Refs put in a step still running, by putter: their arrays are still the putter's to use, so if the
   * policy drops one meanwhile (a step may put more than the budget) its memory is not recycled.
   */
  readonly #fresh = new Map<string, Set<string>>();
  /** Buffers units have in hand (taken values, scratch arrays): resident until put, recycled at the pause. */
  readonly #held = new HeldBuffers();
  /** Refs found unreachable while pinned: freed when their step ends. */
  readonly #doomed = new Set<string>();
  readonly #emit: Emit;
  readonly #onLeave: ((id: string, how: 'dropped' | 'freed') => void) | undefined;
  readonly #prefix: string;
  readonly #keepFiles: boolean;
  readonly #coversProcess: boolean;
  #next = 0;
  #closed = false;

  /** Validates options, creates the directory and checks it is writable. Rejects with `SKY_SPILL_DIR` or `SKY_INVALID_ARGUMENT`. */
  static async open(options: BudgetedStoreOptions): Promise<BudgetedStore> {
    const store = new BudgetedStore(options);
    await probeDirectory(store.directory, options.io ?? nodeSpillIo);
    return store;
  }

  /** Prefer `open`, which also checks the directory. Throws `SKY_INVALID_ARGUMENT` for bad options. */
  constructor(options: BudgetedStoreOptions) {
    this.budget = parseByteSize(options.budget, 'budgeted store budget');
    if (this.budget < 1) throw new SkyloomTypeError('budgeted store budget', 'at least 1 byte', describeValue(options.budget));
    if (typeof options.directory !== 'string' || options.directory === '') {
      throw new SkyloomTypeError('budgeted store directory', 'a directory path', describeValue(options.directory));
    }
    this.#coversProcess = options.processGrowth !== undefined;
    this.directory = options.directory;
    this.#emit = options.emit ?? (() => {});
    this.#onLeave = options.onLeave;
    this.#prefix = options.idPrefix ?? 'r';
    this.#keepFiles = options.keepFiles ?? false;
    this.#verify = options.verify;
    this.#pristine = options.verify ? new PristineLedger() : undefined;
    this.#retention = (options.retentionCheck ?? options.verify) ? new RetentionCheck(this.#emit) : undefined;
    this.#spill = new SpillStore({
      directory: options.directory,
      ...(options.io ? { io: options.io } : {}),
      onSpillOut: (ref, bytes) => this.#report({ type: 'spill-out', ref, bytes }),
      onSpillIn: (ref, bytes) => this.#report({ type: 'spill-in', ref, bytes }),
      onDrop: (ref, value) => this.#dropped(ref, value),
      culprit: (ref) => [...(this.#holders.get(ref) ?? [])].at(-1),
      syncFiles: this.#keepFiles, // only files kept after the run need to survive a crash
      verify: options.verify,
    });
    this.#leaks = options.verify && LeakDetector.enabled() ? new LeakDetector(this.#emit, (id) => this.#spill.has(id)) : undefined;
    this.#policy = new MemoryPolicy(this.#spill, { ...options.policy, budget: this.budget }, {
      reusable: (id) => this.#recyclable(id),
      heldBytes: () => this.#held.bytes,
      ...(options.processGrowth ? { processGrowth: options.processGrowth } : {}),
    });
  }

  /** Resident bytes now (in memory, or being read back). */
  get bytes(): number {
    return this.#spill.memory.bytes;
  }
  get peakBytes(): number {
    return this.#spill.memory.peak;
  }
  /** Bytes of spill files on disk now. */
  get diskBytes(): number {
    return this.#spill.diskBytes;
  }
  get ioStats(): SpillIoStats {
    return this.#spill.ioStats;
  }
  /** Bytes of spare buffers kept for recycling (part of `bytes`). */
  get spareBytes(): number {
    return this.#spill.memory.spareBytes;
  }
  /** Refs held (resident or spilled). */
  get size(): number {
    return [...this.#spill.ids()].length;
  }

  beginStep(borrower: Borrower): void | Promise<void> {
    if (this.#closed) return undefined;
    this.#policy.beginStep(borrower.path);
    if (this.#retention?.pending) return this.#retention.check();
    return this.#spill.busy ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined;
  }

  put(value: unknown, borrower: Borrower, options?: PutOptions): Ref | Promise<Ref> {
    const owned = this.#ownership.checkPut(value, borrower.path, options?.transfer === true, (b) => this.#expired.whatWas(b));
    const bytes = storeBytes(value);
    const frozen = deepFreeze(value);
    // Buffers the unit took or had as scratch are counted already: putting them back needs no room,
    // and they stay counted as held until the entry counts them (so a wait for room never uncounts them).
    const back = owned ? this.#held.heldFor(borrower.path, value) : 0;
    return this.#policy.admit(Math.max(0, bytes - back), borrower.path, () => {
      if (owned) this.#putBack(borrower.path, value);
      const id = `${this.#prefix}${++this.#next}`;
      this.#spill.add(id, frozen, bytes);
      this.#policy.touch(id);
      this.#holders.set(id, new Set([borrower.path]));
      // A transfer put is pinned like a get until the putter's pause (its arrays are in use); any put's
      // memory is not recycled before that pause (`#fresh`), though a plain one may be dropped.
      if (options?.transfer === true) this.#policy.pin(borrower.path, id);
      this.#freshPut(borrower.path, id);
      if (owned) this.#ownership.adopt(id, frozen, borrower.path);
      else this.#ownership.putOrdinary(id, borrower.path);
      // The putter is checked at its next pause too: writing to a buffer after put() is a violation.
      this.#pristine?.track(id, frozen);
      this.#pristine?.borrow(borrower.path, id, frozen);
      const ref = makeRef(id, bytes);
      this.#leaks?.track(ref, borrower.path);
      this.#policy.writeBehind();
      return ref;
    });
  }

  get(ref: Ref, borrower: Borrower): unknown {
    if (!isRef(ref)) throw new SkyloomTypeError('get(ref)', 'a Ref returned by put()', describeValue(ref), { unitPath: borrower.path });
    const id = ref.$ref;
    this.#known(id, borrower.path);
    const violation = this.#pristine?.poisoned(id) ?? this.#spill.changed(id); // readers never see a changed value
    if (violation) throw violation;
    this.#policy.pin(borrower.path, id);
    this.#policy.touch(id);
    this.#holders.get(id)?.add(borrower.path);
    const state = this.#spill.state(id);
    if (state !== 'spilled' && state !== 'reading') return this.#borrowed(id, borrower, this.#spill.residentValue(id));
    return this.#readBack(id, borrower);
  }

  take(ref: Ref, borrower: Borrower): unknown {
    if (!isRef(ref)) throw new SkyloomTypeError('take(ref)', 'a Ref returned by put()', describeValue(ref), { unitPath: borrower.path });
    const id = ref.$ref;
    this.#known(id, borrower.path);
    this.#ownership.checkTake(id, borrower.path, this.#policy.borrowedByOthers(id, borrower.path));
    const state = this.#spill.state(id);
    if (state !== 'spilled' && state !== 'reading') return this.#taken(id, borrower, this.#spill.residentValue(id));
    return this.#takeBack(id, borrower);
  }

  /**
   * A zero-filled array from a spare buffer of its size class (`size-class.ts`), or a new one of that
   * size: nearby sizes share recycled memory. The array views the buffer's first bytes; the whole
   * buffer is counted.
   */
  scratch(op: ScratchOp, borrower: Borrower): Promise<ScratchArray> {
    const Type = scratchTypes[op.type];
    const bytes = op.length * Type.BYTES_PER_ELEMENT;
    const most = sizeClass(bytes); // the largest spare buffer this request may take
    return this.#policy.admit(most, borrower.path, () => {
      const spare = this.#spill.memory.takeSpare(bytes, most);
      const array = new Type(spare ?? new ArrayBuffer(most), 0, op.length);
      if (spare) array.fill(0);
      this.#hold(borrower.path, array, array.buffer.byteLength);
      return array;
    }, false, { between: [bytes, most] });
  }

  endStep(borrower: Borrower, leaving?: unknown): SkyloomError | undefined {
    let violation = this.#pristine?.endStep(borrower.path);
    if (leaving !== undefined) {
      violation ??= this.#expired.passedOn(leaving, borrower.path);
      this.#ownership.share(leaving);
    }
    const held = this.#held.holds(borrower.path);
    this.#releaseHeld(borrower);
    if (held) this.#reportMemory(); // the run report's scratch/taken line falls back at the pause
    const fresh = this.#fresh.get(borrower.path);
    this.#fresh.delete(borrower.path);
    for (const id of fresh ?? []) if (this.#verify && !this.#policy.isPinned(id)) this.#endLease(id, borrower); // after `#fresh` forgot them
    for (const id of this.#policy.endStep(borrower.path)) {
      if (this.#doomed.delete(id)) this.#free(id);
      else if (this.#verify) this.#endLease(id, borrower);
    }
    return violation;
  }

  /** Frees the refs the unit put whose handles never left it: not written out at all if still dirty; owned memory is recycled. */
  endUnit(borrower: Borrower): void {
    for (const id of this.#ownership.unitEnded(borrower.path)) {
      this.#leaks?.forget(id);
      if (this.#policy.isPinned(id)) this.#doomed.add(id);
      else this.#free(id);
    }
    this.#expired.forgetUnit(borrower.path);
  }

  expiredLeases(borrower: Borrower): readonly string[] {
    return this.#expired.of(borrower.path);
  }

  #freshPut(path: string, id: string): void {
    let ids = this.#fresh.get(path);
    if (!ids) this.#fresh.set(path, (ids = new Set()));
    ids.add(id);
  }

  /** True if a dropped or freed value's memory may be recycled: the store owns it and no running step put it. */
  #recyclable(id: string): boolean {
    if (!this.#ownership.owns(id)) return false;
    for (const ids of this.#fresh.values()) if (ids.has(id)) return false;
    return true;
  }

  /** Verify mode: an owned value no running step borrows any more moves to fresh buffers, so the leases on it end loudly. */
  #endLease(id: string, borrower: Borrower): void {
    const value = this.#spill.residentValue(id);
    // A write in flight reads these buffers: they stay (the lease then ends without detaching).
    if (value === undefined || this.#spill.state(id) === 'writing' || !this.#recyclable(id)) return;
    const { value: rehomed, moved } = moveBuffers(value, buffersOf(value));
    if (moved.size === 0) return;
    this.#spill.rehome(id, rehomed);
    this.#ownership.rehomed(id, rehomed);
    this.#expired.expire(borrower.path, `ref ${id}`, borrower.site, moved.keys());
  }


  share(value: unknown): void {
    this.#ownership.share(value);
  }

  /** Resolves once the spill files written so far are finished under their refs' names. Never rejects. */
  finished(): Promise<void> {
    return this.#spill.finished();
  }

  /** Waits for I/O in flight and frees everything, deleting spill files unless `keepFiles`. Never rejects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#leaks?.close();
    for (const id of this.#spill.ids()) this.#pristine?.forget(id);
    await this.#spill.close(this.#keepFiles);
    this.#holders.clear();
    this.#held.clear();
  }

  async #readBack(id: string, borrower: Borrower): Promise<unknown> {
    return this.#borrowed(id, borrower, await this.#readIn(id, borrower.path));
  }

  /** Reads a spilled entry back (or waits for the read in flight), making room first. */
  async #readIn(id: string, path: string): Promise<unknown> {
    if (this.#spill.state(id) === 'reading') return this.#spill.read(id, path);
    return this.#policy.admit(this.#spill.bytesOf(id), path, () => this.#spill.read(id, path), true, this.#spill.bufferSizesOf(id));
  }

  #borrowed(id: string, borrower: Borrower, value: unknown): unknown {
    this.#pristine?.borrow(borrower.path, id, value);
    // A read-back value is new: its buffers are the ref's if it is a transfer ref, else shared.
    if (this.#ownership.owns(id)) this.#ownership.rehomed(id, value);
    else this.#ownership.share(value);
    return value;
  }

  async #takeBack(id: string, borrower: Borrower): Promise<unknown> {
    this.#policy.pin(borrower.path, id); // no eviction while it is read back
    return this.#taken(id, borrower, await this.#readIn(id, borrower.path));
  }

  /** Throws `SKY_UNKNOWN_REF` (saying so if a unit took it) unless the store holds `id`. */
  #known(id: string, unitPath: string): void {
    if (this.#spill.has(id)) return;
    const taker = this.#ownership.takenBy(id);
    const why = taker === undefined ? "is not in this run's store" : `was taken by unit ${taker}`;
    throw new SkyloomError(ErrorCode.UnknownRef, `ref ${id} ${why}`, { unitPath, ref: id });
  }

  /** Gives `value` to the taker: the ref is gone; its bytes stay counted until the taker puts them back or pauses. */
  #taken(id: string, borrower: Borrower, value: unknown): unknown {
    const bytes = this.#spill.bytesOf(id);
    this.#policy.forget(id); // in use, not let go of: its bytes stay counted as held
    this.#spill.free(id);
    this.#hold(borrower.path, value, bytes); // after the free, so the accounting never counts it twice
    this.#pristine?.forget(id);
    this.#leaks?.forget(id);
    this.#holders.delete(id);
    this.#doomed.delete(id);
    this.#ownership.taken(id, borrower.path);
    return value;
  }

  /** `path` has `value`'s buffers in hand (taken or scratch): counted as resident until put or its pause. */
  #hold(path: string, value: unknown, bytes: number): void {
    this.#held.hold(path, value, bytes);
    this.#spill.memory.add(bytes);
    this.#reportMemory();
  }

  /** A put the store owns of buffers its unit had in hand: their bytes move from held to the new entry. */
  #putBack(path: string, value: unknown): void {
    this.#spill.memory.add(-this.#held.putBack(path, value));
  }

  /**
   * The unit paused: buffers it had in hand and did not put are recycled as spare buffers (in verify
   * mode detached first, so a local still pointing at them fails loudly); those that left the unit
   * (gathered, returned) are no longer counted: the garbage collector frees them when their holders go.
   */
  #releaseHeld(borrower: Borrower): void {
    const held = this.#held.release(borrower.path);
    if (!held) return;
    this.#spill.memory.add(-held.bytes);
    const loose = held.buffers.filter((b) => !this.#ownership.isOwned(b) && !this.#ownership.isShared(b));
    if (loose.length === 0) return;
    if (this.#verify) this.#expired.expire(borrower.path, 'a scratch array or taken value', borrower.site, loose);
    this.#spill.memory.giveSpare(this.#verify ? detachAll(loose) : loose);
  }

  /** A value left memory: if the store did not own it, it may still be held (the retention check looks). */
  #dropped(id: string, value: unknown): void {
    this.#onLeave?.(id, 'dropped');
    if (this.#recyclable(id)) return this.#ownership.leftMemory(id, value); // its buffers are spare buffers now: alive by design
    this.#retention?.suspect(id, value, [...(this.#holders.get(id) ?? [])]);
  }

  /** Frees `id` (deleting its file); the memory of a value the store owns becomes spare buffers. */
  #free(id: string): void {
    this.#policy.forget(id);
    this.#spill.free(id, this.#recyclable(id));
    this.#pristine?.forget(id);
    this.#ownership.forget(id);
    this.#holders.delete(id);
    this.#onLeave?.(id, 'freed');
  }

  #report(event: { type: 'spill-out' | 'spill-in'; ref: string; bytes: number }): void {
    this.#emit(event);
    this.#reportMemory();
  }

  /** A `memory` event: resident, spilled, the budget, and what units hold as scratch arrays and taken values. */
  #reportMemory(): void {
    const limit = this.#coversProcess ? { limit: this.#policy.limit() } : {};
    this.#emit({ type: 'memory', resident: this.#spill.memory.bytes, spilled: this.#spill.diskBytes, budget: this.budget, held: this.#held.bytes, returned: returnedUncollected(), ...limit });
  }
}
