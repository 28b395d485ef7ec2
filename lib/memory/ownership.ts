import { forEachRef } from './binary-parts.ts';
import { ErrorCode, SkyloomError } from '../errors.ts';
import { buffersOf, isDetached, transferProblem } from './hand-over.ts';
import type { Ref } from '../ref.ts';

/**
 * Which stored values a store may treat as its own, shared by the stores. A put hands the value's
 * buffers to the store (the putter may use them until its next pause): the store then recycles that
 * memory once it no longer holds the value in memory (no garbage collection needed to free it), and
 * the unit that put it may `take` it back, to change it in place and put it again.
 *
 * Rules kept here:
 * - a put of detached arrays is refused (`SKY_TRANSFER`, or `SKY_LEASE_EXPIRED` when the store says it
 *   detached them itself at a lease's end);
 * - a plain put of buffers that are not the unit's alone (another ref's, its input's, a gathered
 *   value's) or of a value that is not plain data makes an *ordinary* ref: its buffers are never
 *   recycled nor moved. With `{ transfer: true }` the same put fails with `SKY_TRANSFER` instead;
 * - an owned value that leaves its unit (gathered, returned, passed to a scatter) or is put again
 *   becomes ordinary;
 * - `take` needs an owned ref whose handle never left the unit and that no other running step borrows;
 * - when a unit ends, every ref it put whose handle never left it can be freed (`unitEnded`).
 *
 * Mechanism only: the store decides when to reuse memory. Only the `check*` methods throw.
 */
/** What the bookkeeping knows of one ref a unit put: one record found by one lookup, instead of an entry in a set or map per fact. */
interface RefRecord {
  readonly id: string;
  /** Its buffers are the store's alone (a transfer or a fresh plain put). */
  owned: boolean;
  /** Its handle left the unit that put it, or sits inside another value. */
  escaped: boolean;
  /** The unit that put it, until the unit ends or the ref is taken or freed. */
  putter: UnitRecord | undefined;
}

/** One live unit's bookkeeping: the refs it put that are still held, and the last refs it took (for a clear error). */
interface UnitRecord {
  readonly puts: Set<RefRecord>;
  /** Ids this unit took, oldest first, at most `takenKept`: only the taker can still hold such a handle, so they go with it. */
  taken: string[] | undefined;
}

/**
 * How many taken ids a unit remembers, for the `taken by unit …` of a later `get` of one (the usual
 * mistake is the version just taken; older ones still fail, with the plainer "not in the store").
 * Bounds a long loop of take/put to a few hundred bytes per unit instead of an entry per take for the run.
 */
const takenKept = 16;

export class Ownership {
  /** Refs put and still held, by id (only refs some unit put: an id never adopted or put has none). */
  readonly #refs = new Map<string, RefRecord>();
  /** Live units that put or took refs, by path. */
  readonly #units = new Map<string, UnitRecord>();
  /** Buffer → the transfer ref that owns it (it owns it only while that ref's record says `owned`). */
  readonly #owner = new WeakMap<ArrayBuffer, string>();
  /** Buffers something other than a transfer ref holds (an ordinary ref, an input, a value that left a unit). */
  readonly #shared = new WeakSet<ArrayBuffer>();

  /**
   * Checks a value about to be put by `unitPath` and says whether the store may own its buffers: any
   * put needs live buffers (`expired(buffer)` names one the store detached at a lease's end); a
   * transfer put also plain data and buffers nothing else holds. Buffers of a put the store may not
   * own count as shared from now on, and refs inside any put value as escaped. Throws `SKY_TRANSFER`
   * or `SKY_LEASE_EXPIRED`.
   */
  checkPut(value: unknown, unitPath: string, transfer: boolean, expired: (buffer: ArrayBuffer) => string | undefined = () => undefined): boolean {
    const call = transfer ? 'put(value, { transfer: true })' : 'put(value)';
    const fail = (expected: string, got: string): never => {
      throw new SkyloomError(ErrorCode.Transfer, `${call} in unit ${unitPath}: expected ${expected}, got ${got}`, { unitPath });
    };
    const buffers = buffersOf(value);
    const detached = buffers.findIndex(isDetached);
    if (detached >= 0) {
      const lease = expired(buffers[detached] as ArrayBuffer);
      if (lease !== undefined) throw new SkyloomError(ErrorCode.LeaseExpired, `${call} in unit ${unitPath}: ${lease}`, { unitPath });
      fail('live buffers', `a detached one (buffer ${detached + 1} of ${buffers.length}), transferred away`);
    }
    forEachRef(value, this.#escape);
    const held = buffers.find((buffer) => this.isOwned(buffer) || this.#shared.has(buffer));
    const problem = transfer || buffers.length > 0 ? transferProblem(value) : undefined;
    if (transfer && problem !== undefined) fail(problem.expected, problem.got);
    if (transfer && held !== undefined) {
      const owner = this.isOwned(held) ? this.#owner.get(held) : undefined;
      fail('buffers this unit owns', owner !== undefined ? `a buffer of ref ${owner} (take the ref to own its value)` : 'a buffer that another ref, an input or a gathered value also holds');
    }
    if (held === undefined && problem === undefined) return true;
    this.#share(buffers);
    return false;
  }

  /** A put by `unitPath` that the store does not own (`checkPut` said false): freed at the unit's end all the same if its handle never leaves it. */
  putOrdinary(id: string, unitPath: string): void {
    this.#record(id, unitPath, false);
  }

  /** A put by `unitPath` the store owns (`checkPut` said true): `id` owns the buffers of `value`. */
  adopt(id: string, value: unknown, unitPath: string): void {
    this.#record(id, unitPath, true);
    this.rehomed(id, value);
  }

  /** `id`'s value left memory and its buffers went to be recycled: they are nobody's now (a read back rehomes it). */
  leftMemory(id: string, value: unknown): void {
    for (const buffer of buffersOf(value)) if (this.#owner.get(buffer) === id) this.#owner.delete(buffer);
  }

  /** True if a stored value owns `buffer` (a put adopted it). */
  isOwned(buffer: ArrayBuffer): boolean {
    const owner = this.#owner.get(buffer);
    return owner !== undefined && this.owns(owner);
  }

  /** True if `buffer` is held by something besides the store (an input, a value that left a unit, an ordinary ref). */
  isShared(buffer: ArrayBuffer): boolean {
    return this.#shared.has(buffer);
  }

  #record(id: string, unitPath: string, owned: boolean): void {
    let unit = this.#units.get(unitPath);
    if (!unit) this.#units.set(unitPath, (unit = { puts: new Set(), taken: undefined }));
    const record: RefRecord = { id, owned, escaped: false, putter: unit };
    this.#refs.set(id, record);
    unit.puts.add(record);
  }

  /**
   * `unitPath` ended (returned, failed or was cancelled; call after the `share` of what its end hands
   * on): returns the refs it put whose handles never left it. Nothing can reach them any more, so the
   * store may free them (and recycle the memory of those it owns). Never throws.
   */
  unitEnded(unitPath: string): string[] {
    const unit = this.#units.get(unitPath);
    if (!unit) return [];
    this.#units.delete(unitPath);
    const ids: string[] = [];
    for (const record of unit.puts) {
      record.putter = undefined;
      if (!record.escaped) ids.push(record.id);
    }
    return ids;
  }

  /** True if the store may reuse the memory of `id`'s value once no step borrows it. */
  owns(id: string): boolean {
    return this.#refs.get(id)?.owned === true;
  }

  /** `id` now holds `value` (read back into other buffers): those are the ref's. No-op for an ordinary ref. */
  rehomed(id: string, value: unknown): void {
    if (!this.owns(id)) return;
    if (ArrayBuffer.isView(value)) {
      if (value.buffer instanceof ArrayBuffer) this.#owner.set(value.buffer, id); // the usual put: no array of buffers
      return;
    }
    for (const buffer of buffersOf(value)) this.#owner.set(buffer, id);
  }

  /**
   * `value` is held by something besides the store from now on (an ordinary ref's value read back, a
   * unit's input or a result handed to it, a value leaving a unit at a pause): its buffers are never
   * reused, transfer refs owning any of them become ordinary, and refs inside it count as escaped.
   * Never throws.
   */
  share(value: unknown): void {
    if (typeof value !== 'object' || value === null) return;
    this.#share(buffersOf(value));
    forEachRef(value, this.#escape);
  }

  /** Throws `SKY_TRANSFER` unless `unitPath` may take `id` (`borrowedByOthers`: another running step borrows it). */
  checkTake(id: string, unitPath: string, borrowedByOthers: boolean): void {
    const fail = (got: string): never => {
      throw new SkyloomError(ErrorCode.Transfer, `take(ref) in unit ${unitPath}: expected a ref it put and kept to itself, got ${got}`, {
        unitPath,
        ref: id,
      });
    };
    const record = this.#refs.get(id);
    if (record?.owned !== true) fail(`ref ${id}, whose value the store does not own alone (its arrays are another ref's, an input's or a value that left the unit)`);
    if (record?.escaped === true) fail(`ref ${id}, whose handle left the unit (put in a value, gathered, returned or scattered)`);
    if (borrowedByOthers) fail(`ref ${id}, which another running step borrows`);
  }

  /**
   * `unitPath` took `id`: its value's buffers are the unit's now. (Their owner entries need no delete:
   * a buffer is owned only while its ref's record says so, and the record goes here.)
   */
  taken(id: string, unitPath: string): void {
    this.forget(id);
    let unit = this.#units.get(unitPath);
    if (!unit) this.#units.set(unitPath, (unit = { puts: new Set(), taken: undefined }));
    const taken = (unit.taken ??= []);
    if (taken.length === takenKept) taken.shift();
    taken.push(id);
  }

  /** The unit that took `id`, if one still running did (only it can hold the handle). Error path only: a search of the live units. */
  takenBy(id: string): string | undefined {
    for (const [path, unit] of this.#units) if (unit.taken?.includes(id)) return path;
    return undefined;
  }

  /** `id` is freed. */
  forget(id: string): void {
    const record = this.#refs.get(id);
    if (!record) return;
    this.#refs.delete(id);
    record.owned = false;
    record.putter?.puts.delete(record);
    record.putter = undefined;
  }

  readonly #escape = (ref: Ref): void => {
    const record = this.#refs.get(ref.$ref);
    if (record) record.escaped = true; // a ref no unit here put (another thread's, or freed) has nothing to take or free
  };

  #share(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      this.#shared.add(buffer);
      const owner = this.#owner.get(buffer);
      if (owner !== undefined) {
        const record = this.#refs.get(owner);
        if (record) record.owned = false;
      }
    }
  }
}
