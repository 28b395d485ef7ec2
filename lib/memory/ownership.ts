import { forEachRef } from './binary-parts.ts';
import { ErrorCode, SkyloomError } from '../errors.ts';
import { buffersOf, isDetached, transferProblem } from './hand-over.ts';

/**
 * Which stored values a store may treat as its own, shared by the stores. A value put with
 * `{ transfer: true }` hands its buffers to the store: a budgeted store then reads other values back
 * into that memory once the value is spilled (no garbage collection needed to free it), and the unit
 * that put it may `take` it back, to change it in place and put it again.
 *
 * Safety rules kept here:
 * - a put of detached arrays is refused (`SKY_TRANSFER`), and so is a transfer put of buffers that are
 *   not plain data or not the unit's own: held by another ref, or reached the unit from outside (its
 *   input, a gather's result: `share`);
 * - a transfer ref's value that leaves its unit (gathered, returned, passed to a scatter) or is put
 *   again becomes ordinary: its memory is never reused;
 * - `take` needs a transfer ref whose handle never left the unit (in a value put, gathered, returned,
 *   scattered) and that no other running step borrows.
 *
 * Mechanism only: the store decides when to reuse memory. Only the `check*` methods throw.
 */
export class Ownership {
  /** Transfer refs whose buffers are the store's alone. */
  readonly #own = new Set<string>();
  /** Buffer → the transfer ref that owns it. */
  readonly #owner = new WeakMap<ArrayBuffer, string>();
  /** Buffers something other than a transfer ref holds (an ordinary ref, an input, a value that left a unit). */
  readonly #shared = new WeakSet<ArrayBuffer>();
  /** Refs whose handles left the unit that put them, or sit inside another value. */
  readonly #escaped = new Set<string>();
  /** Taken refs → the unit that took them, for a clear error on a later `get`. */
  readonly #taken = new Map<string, string>();
  /** Transfer refs by the unit that put them, until the unit ends or the ref is taken or freed. */
  readonly #putBy = new Map<string, Set<string>>();
  readonly #putter = new Map<string, string>();

  /**
   * Checks a value about to be put by `unitPath`: any put needs live buffers (not detached), a transfer
   * put also plain data and buffers nothing else holds. A plain put's buffers count as shared from now
   * on, and refs inside any put value as escaped. Throws `SKY_TRANSFER`.
   */
  checkPut(value: unknown, unitPath: string, transfer: boolean): void {
    const call = transfer ? 'put(value, { transfer: true })' : 'put(value)';
    const fail = (expected: string, got: string): never => {
      throw new SkyloomError(ErrorCode.Transfer, `${call} in unit ${unitPath}: expected ${expected}, got ${got}`, { unitPath });
    };
    const buffers = buffersOf(value);
    const detached = buffers.findIndex(isDetached);
    if (detached >= 0) fail('live buffers', `a detached one (buffer ${detached + 1} of ${buffers.length}), transferred away`);
    if (transfer) {
      const problem = transferProblem(value);
      if (problem !== undefined) fail(problem.expected, problem.got);
      for (const buffer of buffers) {
        const owner = this.#owner.get(buffer);
        if (owner !== undefined) fail('buffers this unit owns', `a buffer of ref ${owner} (take the ref to own its value)`);
        if (this.#shared.has(buffer)) fail('buffers this unit owns', 'a buffer that another ref, an input or a gathered value also holds');
      }
    } else this.#share(buffers);
    forEachRef(value, (ref) => this.#escaped.add(ref.$ref));
  }

  /** A transfer put by `unitPath`: `id` owns the buffers of `value`. */
  adopt(id: string, value: unknown, unitPath: string): void {
    this.#own.add(id);
    this.rehomed(id, value);
    let ids = this.#putBy.get(unitPath);
    if (!ids) this.#putBy.set(unitPath, (ids = new Set()));
    ids.add(id);
    this.#putter.set(id, unitPath);
  }

  /**
   * `unitPath` ended (returned, failed or was cancelled; call after the `share` of what its end hands
   * on): returns its transfer refs that are still the store's alone and whose handles never left it.
   * Nothing can reach them any more, so the store may free them. Never throws.
   */
  unitEnded(unitPath: string): string[] {
    const ids = this.#putBy.get(unitPath);
    if (!ids) return [];
    this.#putBy.delete(unitPath);
    for (const id of ids) this.#putter.delete(id);
    return [...ids].filter((id) => this.#own.has(id) && !this.#escaped.has(id));
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
      throw new SkyloomError(ErrorCode.Transfer, `take(ref) in unit ${unitPath}: expected a ref it put with { transfer: true } and kept to itself, got ${got}`, {
        unitPath,
        ref: id,
      });
    };
    if (!this.#own.has(id)) fail(`ref ${id}, whose value was put without transfer or has been shared`);
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
