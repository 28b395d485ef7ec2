import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { storeBytes } from './binary-parts.ts';
import { parseByteSize } from '../byte-size.ts';
import { describeValue } from '../describe-value.ts';
import { ErrorCode, SkyloomError, SkyloomTypeError } from '../errors.ts';
import type { Emit } from '../events.ts';
import { deepFreeze } from '../freeze.ts';
import { buffersOf } from './hand-over.ts';
import { Ownership } from './ownership.ts';
import { MemoryPolicy, type CollectionStats, type MemoryPolicyOptions } from './memory-policy.ts';
import { PristineLedger } from './pristine.ts';
import { isRef, makeRef, type Ref } from '../ref.ts';
import { RefLifetimes } from './ref-lifetimes.ts';
import { RetentionCheck } from './retention-check.ts';
import { nodeSpillIo, type SpillIo } from './spill-file.ts';
import { SpillStore, type SpillIoStats } from './spill-store.ts';
import type { PutOptions } from '../put.ts';
import type { Borrower, Store } from '../store.ts';

export interface BudgetedStoreOptions {
  /** Most resident store bytes: a byte count or a size such as `"512MB"`, `"2GiB"`. */
  readonly budget: number | string;
  /** Where spill files go; created if missing. The store deletes its files, not the directory. */
  readonly directory: string;
  /** Checksum typed arrays at put and re-check them at the borrower's next pause. */
  readonly verify: boolean;
  /** Receives spill-out / spill-in / memory events and retention warnings. */
  readonly emit?: Emit;
  /** Prefix of ref ids (and spill file names), so stores of different threads never collide. Default `r`. */
  readonly idPrefix?: string;
  /** Leave spill files on disk at `close()`. Default false. */
  readonly keepFiles?: boolean;
  /** Free a ref (and its file) once its handle is garbage-collected. Default true. */
  readonly freeUnreachable?: boolean;
  /** Warn when a spilled value is still held outside the store. Default: `verify`. */
  readonly retentionCheck?: boolean;
  /** Tuning of the policy (headroom, writes in flight, prefetch lookahead, when to collect garbage). */
  readonly policy?: Omit<MemoryPolicyOptions, 'budget'>;
  /** File operations; tests inject failures. Default node:fs/promises. */
  readonly io?: SpillIo;
}

/**
 * A `Store` that keeps resident bytes within a memory budget by spilling to disk: `SpillStore` is the
 * mechanism, `MemoryPolicy` the policy, and this class the glue with borrowing (a `get` pins the ref
 * until the borrower's step ends), verify-mode checks, ref lifetimes and events. Self-contained: any
 * thread can `open` one with plain options (the laptop runner uses one; a worker host can too).
 *
 * Does not cover scheduling (which unit runs when) nor sharing refs across threads.
 */
export class BudgetedStore implements Store {
  readonly budget: number;
  readonly directory: string;
  readonly #spill: SpillStore;
  readonly #policy: MemoryPolicy;
  readonly #pristine: PristineLedger | undefined;
  readonly #lifetimes: RefLifetimes | undefined;
  readonly #retention: RetentionCheck | undefined;
  /** Which values were handed over with `transfer` (their memory is reused once spilled), which refs a unit may `take`. */
  readonly #ownership = new Ownership();
  /** Reuse handed-over memory: not in verify mode, whose retention check must see such values die. */
  readonly #reuse: boolean;
  readonly #holders = new Map<string, Set<string>>();
  /**
   * Per unit, values it took out of the store in its current step: still counted as resident (the
   * budget covers them) until it puts their buffers back or its step ends.
   */
  readonly #held = new Map<string, { bytes: number; buffers: Map<ArrayBuffer, number> }>();
  /** Refs found unreachable while pinned: freed when their step ends. */
  readonly #doomed = new Set<string>();
  readonly #emit: Emit;
  readonly #prefix: string;
  readonly #keepFiles: boolean;
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
    this.directory = options.directory;
    this.#emit = options.emit ?? (() => {});
    this.#prefix = options.idPrefix ?? 'r';
    this.#keepFiles = options.keepFiles ?? false;
    this.#pristine = options.verify ? new PristineLedger() : undefined;
    this.#retention = (options.retentionCheck ?? options.verify) ? new RetentionCheck(this.#emit) : undefined;
    this.#reuse = this.#retention === undefined;
    this.#spill = new SpillStore({
      directory: options.directory,
      ...(options.io ? { io: options.io } : {}),
      onSpillOut: (ref, bytes) => this.#report({ type: 'spill-out', ref, bytes }),
      onSpillIn: (ref, bytes) => this.#report({ type: 'spill-in', ref, bytes }),
      onDrop: (ref, value) => this.#dropped(ref, value),
      culprit: (ref) => [...(this.#holders.get(ref) ?? [])].at(-1),
    });
    this.#lifetimes = (options.freeUnreachable ?? true) ? new RefLifetimes((id) => this.#unreachable(id)) : undefined;
    // After a collection the policy forced, free what it found unreachable now, not a task later.
    this.#policy = new MemoryPolicy(
      this.#spill,
      { ...options.policy, budget: this.budget },
      { onCollected: () => this.#lifetimes?.sweep(), reusable: (id) => this.#reuse && this.#ownership.owns(id) },
    );
  }

  /** Resident bytes now (in memory, or being read back). */
  get bytes(): number {
    return this.#spill.residentBytes;
  }
  get peakBytes(): number {
    return this.#spill.peakResidentBytes;
  }
  /** Bytes of spill files on disk now. */
  get diskBytes(): number {
    return this.#spill.diskBytes;
  }
  get ioStats(): SpillIoStats {
    return this.#spill.ioStats;
  }
  /** Full collections the policy forced (see `MemoryPolicyOptions.collectAfter`) and their cost. */
  get collections(): CollectionStats {
    return this.#policy.collections;
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
    const transfer = options?.transfer === true;
    this.#ownership.checkPut(value, borrower.path, transfer);
    if (transfer) this.#putBack(borrower.path, value);
    const bytes = storeBytes(value);
    const frozen = deepFreeze(value);
    return this.#policy.admit(bytes, borrower.path, () => {
      const id = `${this.#prefix}${++this.#next}`;
      this.#spill.add(id, frozen, bytes);
      this.#policy.touch(id);
      this.#policy.notePut(borrower.path, bytes);
      this.#holders.set(id, new Set([borrower.path]));
      if (transfer) {
        // Its arrays are the putter's until its pause: pinned like a get, so their memory is not reused meanwhile.
        this.#ownership.adopt(id, frozen, borrower.path);
        this.#policy.pin(borrower.path, id);
      }
      // The putter is checked at its next pause too: writing to a buffer after put() is a violation.
      this.#pristine?.track(id, frozen);
      this.#pristine?.borrow(borrower.path, id, frozen);
      const ref = makeRef(id, bytes);
      this.#lifetimes?.track(ref);
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

  endStep(borrower: Borrower, leaving?: unknown): SkyloomError | undefined {
    const violation = this.#pristine?.endStep(borrower.path);
    this.#releaseHeld(borrower.path);
    if (leaving !== undefined) this.#ownership.share(leaving);
    for (const id of this.#policy.endStep(borrower.path)) if (this.#doomed.delete(id)) this.#free(id);
    return violation;
  }

  /**
   * Frees the unit's transfer refs whose handles never left it: not written out at all if still dirty,
   * and their memory read into next rather than left to a collection (unless verify mode watches it).
   */
  endUnit(borrower: Borrower): void {
    for (const id of this.#ownership.unitEnded(borrower.path)) {
      this.#lifetimes?.forget(id);
      if (this.#policy.isPinned(id)) this.#doomed.add(id);
      else this.#free(id, this.#reuse);
    }
  }

  share(value: unknown): void {
    this.#ownership.share(value);
  }

  /** Resolves once the spill files written so far are durable under their refs' names. Never rejects. */
  durable(): Promise<void> {
    return this.#spill.durable();
  }

  /** Waits for I/O in flight and frees everything, deleting spill files unless `keepFiles`. Never rejects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lifetimes?.close();
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
    return this.#policy.admit(this.#spill.bytesOf(id), path, () => this.#spill.read(id, path), true);
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
    this.#policy.taken(borrower.path, id);
    this.#spill.free(id);
    this.#hold(borrower.path, value, bytes); // after the free, so the accounting never counts it twice
    this.#pristine?.forget(id);
    this.#holders.delete(id);
    this.#doomed.delete(id);
    this.#ownership.taken(id, value, borrower.path);
    return value;
  }

  #hold(path: string, value: unknown, bytes: number): void {
    let held = this.#held.get(path);
    if (!held) this.#held.set(path, (held = { bytes: 0, buffers: new Map() }));
    for (const buffer of buffersOf(value)) held.buffers.set(buffer, buffer.byteLength);
    held.bytes += bytes;
    this.#spill.hold(bytes);
  }

  /** A transfer put of buffers its unit took: their bytes move from held to the new entry. */
  #putBack(path: string, value: unknown): void {
    const held = this.#held.get(path);
    if (!held) return;
    let bytes = 0;
    for (const buffer of buffersOf(value)) {
      bytes += held.buffers.get(buffer) ?? 0;
      held.buffers.delete(buffer);
    }
    bytes = Math.min(bytes, held.bytes);
    held.bytes -= bytes;
    this.#spill.hold(-bytes);
  }

  /** The unit paused: what it took and did not put back is no longer counted (most likely dropped: garbage). */
  #releaseHeld(path: string): void {
    const held = this.#held.get(path);
    if (!held) return;
    this.#held.delete(path);
    this.#spill.hold(-held.bytes);
    this.#policy.letGo(held.bytes);
  }

  /** A value left memory: it may still be held (the retention check, on only when no memory is reused, looks). */
  #dropped(id: string, value: unknown): void {
    this.#retention?.suspect(id, value, [...(this.#holders.get(id) ?? [])]);
  }

  #unreachable(id: string): void {
    if (this.#policy.isPinned(id)) this.#doomed.add(id);
    else this.#free(id);
  }

  /** `reuse`: nothing but the store holds the value's buffers, so reads may reuse them (`SpillStore.free` says if they can). */
  #free(id: string, reuse = false): void {
    const state = this.#spill.state(id);
    const residentBytes = state === undefined || state === 'spilled' ? 0 : this.#spill.bytesOf(id);
    this.#policy.forget(id, false);
    if (!this.#spill.free(id, reuse)) this.#policy.letGo(residentBytes); // garbage until a collection
    this.#pristine?.forget(id);
    this.#ownership.forget(id);
    this.#holders.delete(id);
  }

  #report(event: { type: 'spill-out' | 'spill-in'; ref: string; bytes: number }): void {
    this.#emit(event);
    this.#emit({ type: 'memory', resident: this.#spill.residentBytes, spilled: this.#spill.diskBytes, budget: this.budget });
  }
}

/** Creates `directory` and writes, syncs and deletes a probe file in it. */
async function probeDirectory(directory: string, io: SpillIo): Promise<void> {
  const probe = join(directory, `.probe-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    await mkdir(directory, { recursive: true });
    const handle = await io.open(probe, 'w');
    try {
      await handle.writev([new Uint8Array(8)], 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await io.unlink(probe);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SkyloomError(ErrorCode.SpillDir, `spill directory ${directory} cannot be used: ${reason}`, { cause });
  }
}
