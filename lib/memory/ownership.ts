import { forEachRef } from './binary-parts.ts';
import { ErrorCode, SkyloomError } from '../errors.ts';
import { buffersOf, isDetached, transferProblem } from './hand-over.ts';

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
export class Ownership {
  /** Refs whose buffers are the store's alone (owned). */
  readonly #own = new Set<string>();
  /** Buffer → the transfer ref that owns it. */
  readonly #owner = new WeakMap<ArrayBuffer, string>();
  /** Buffers something other than a transfer ref holds (an ordinary ref, an input, a value that left a unit). */
  readonly #shared = new WeakSet<ArrayBuffer>();
  /** Refs whose handles left the unit that put them, or sit inside another value. */
  readonly #escaped = new Set<string>();
  /** Taken refs → the unit that took them, for a clear error on a later `get`. */
  readonly #taken = new Map<string, string>();
  /** Refs by the unit that put them, until the unit ends or the ref is taken or freed. */
  readonly #putBy = new Map<string, Set<string>>();
  readonly #putter = new Map<string, string>();

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
    forEachRef(value, (ref) => this.#escaped.add(ref.$ref));
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
    this.#notePutter(id, unitPath);
  }

  /** A put by `unitPath` the store owns (`checkPut` said true): `id` owns the buffers of `value`. */
  adopt(id: string, value: unknown, unitPath: string): void {
    this.#own.add(id);
    this.rehomed(id, value);
    this.#notePutter(id, unitPath);
  }

  /** `id`'s value left memory and its buffers went to be recycled: they are nobody's now (a read back rehomes it). */
  leftMemory(id: string, value: unknown): void {
    for (const buffer of buffersOf(value)) if (this.#owner.get(buffer) === id) this.#owner.delete(buffer);
  }

  /** True if a stored value owns `buffer` (a put adopted it). */
  isOwned(buffer: ArrayBuffer): boolean {
    const owner = this.#owner.get(buffer);
    return owner !== undefined && this.#own.has(owner);
  }

  /** True if `buffer` is held by something besides the store (an input, a value that left a unit, an ordinary ref). */
  isShared(buffer: ArrayBuffer): boolean {
    return this.#shared.has(buffer);
  }

  #notePutter(id: string, unitPath: string): void {
    let ids = this.#putBy.get(unitPath);
    if (!ids) this.#putBy.set(unitPath, (ids = new Set()));
    ids.add(id);
    this.#putter.set(id, unitPath);
  }

  /**
   * `unitPath` ended (returned, failed or was cancelled; call after the `share` of what its end hands
   * on): returns the refs it put whose handles never left it. Nothing can reach them any more, so the
   * store may free them (and recycle the memory of those it owns). Never throws.
   */
  unitEnded(unitPath: string): string[] {
    const ids = this.#putBy.get(unitPath);
    if (!ids) return [];
    this.#putBy.delete(unitPath);
    for (const id of ids) this.#putter.delete(id);
    return [...ids].filter((id) => !this.#escaped.has(id));
  }

  /** True if the store may reuse the memory of `id`'s value once no step borrows it. */
  owns(id: string): boolean {
    return this.#own.has(id);
  }

  /** `id` now holds `value` (read back into other buffers): those are the ref's. No-op for an ordinary ref. */
  rehomed(id: string, value: unknown): void {
    if (!this.#own.has(id)) return;
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
    forEachRef(value, (ref) => this.#escaped.add(ref.$ref));
  }

  /** Throws `SKY_TRANSFER` unless `unitPath` may take `id` (`borrowedByOthers`: another running step borrows it). */
  checkTake(id: string, unitPath: string, borrowedByOthers: boolean): void {
    const fail = (got: string): never => {
      throw new SkyloomError(ErrorCode.Transfer, `take(ref) in unit ${unitPath}: expected a ref it put and kept to itself, got ${got}`, {
        unitPath,
        ref: id,
      });
    };
    if (!this.#own.has(id)) fail(`ref ${id}, whose value the store does not own alone (its arrays are another ref's, an input's or a value that left the unit)`);
    if (this.#escaped.has(id)) fail(`ref ${id}, whose handle left the unit (put in a value, gathered, returned or scattered)`);
    if (borrowedByOthers) fail(`ref ${id}, which another running step borrows`);
  }

  /** `unitPath` took `id`: its value's buffers are the unit's now. */
  taken(id: string, value: unknown, unitPath: string): void {
    for (const buffer of buffersOf(value)) this.#owner.delete(buffer);
    this.#own.delete(id);
    this.#taken.set(id, unitPath);
    this.#unputs(id);
  }

  /** The unit that took `id`, if one did. */
  takenBy(id: string): string | undefined {
    return this.#taken.get(id);
  }

  /** `id` is freed. */
  forget(id: string): void {
    this.#own.delete(id);
    this.#escaped.delete(id);
    this.#unputs(id);
  }

  #unputs(id: string): void {
    const unitPath = this.#putter.get(id);
    if (unitPath === undefined) return;
    this.#putter.delete(id);
    this.#putBy.get(unitPath)?.delete(id);
  }

  #share(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      this.#shared.add(buffer);
      const owner = this.#owner.get(buffer);
      if (owner !== undefined) this.#own.delete(owner);
    }
  }
}
