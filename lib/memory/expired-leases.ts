import { ErrorCode, SkyloomError } from '../errors.ts';
import { buffersOf } from './hand-over.ts';

/**
 * Which buffers a store detached when a lease ended (verify mode), and what each was, so a later use
 * is reported as the expired lease it is (`SKY_LEASE_EXPIRED`: the unit, the ref, the pause) instead
 * of as a detached buffer or a silent `NaN`. Mechanism only; bounded: a unit keeps the leases of its
 * last few pauses. Never throws.
 */
export class ExpiredLeases {
  readonly #what = new WeakMap<ArrayBuffer, string>();
  readonly #byUnit = new Map<string, string[]>();
  static readonly #kept = 16;

  /** `what` (e.g. `ref r3`) was leased to `unitPath` and ended at its pause `site`; `buffers` were detached. */
  expire(unitPath: string, what: string, site: string | undefined, buffers: Iterable<ArrayBuffer>): void {
    const text = `${what}, whose lease ended at the unit's pause at ${site ?? 'its last pause'}`;
    for (const buffer of buffers) this.#what.set(buffer, text);
    let list = this.#byUnit.get(unitPath);
    if (!list) this.#byUnit.set(unitPath, (list = []));
    list.push(text);
    if (list.length > ExpiredLeases.#kept) list.shift();
  }

  /** What a detached buffer was, if this store detached it. */
  whatWas(buffer: ArrayBuffer): string | undefined {
    return this.#what.get(buffer);
  }

  /** A `SKY_LEASE_EXPIRED` error if `leaving` (what a pause hands on) holds an array whose lease ended. */
  passedOn(leaving: unknown, unitPath: string): SkyloomError | undefined {
    for (const buffer of buffersOf(leaving)) {
      const what = this.#what.get(buffer);
      if (what !== undefined) return new SkyloomError(ErrorCode.LeaseExpired, `unit ${unitPath} passed on ${what}: get it again after the pause`, { unitPath });
    }
    return undefined;
  }

  /** The leases that ended at `unitPath`'s last pauses, newest last. */
  of(unitPath: string): readonly string[] {
    return this.#byUnit.get(unitPath) ?? [];
  }

  forgetUnit(unitPath: string): void {
    this.#byUnit.delete(unitPath);
  }
}
