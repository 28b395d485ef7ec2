/**
 * Which members of a group are still in it. Under `onFailure: 'fail'` (the default) every member
 * stays until the group ends, and a failure ends the group. Under `'collect'` a member that fails, is
 * late for a gather with a `quorum` or `deadlineMs`, or (on resume) is left out of a recorded
 * collective, *leaves*: later phases and gathers go on with the live members only, and the group's
 * outputs are every member's outcome (`lib/member-outcome.ts`).
 *
 * It does not decide when members fail (the group loop and the driver do), nor record anything.
 */
import { ErrorCode, SkyloomError, unitFailed } from '../../lib/errors.ts';
import { failedOutcome, type WireOutcome } from '../../lib/member-outcome.ts';

export class LiveMembers {
  readonly #paths: readonly string[];
  readonly #left = new Map<number, { readonly error: unknown; readonly site: string }>();

  constructor(paths: readonly string[]) {
    this.#paths = paths;
  }

  /** Member `i` leaves the group with `error` at `site` (a second call keeps the first). */
  leave(i: number, error: unknown, site: string): void {
    if (!this.#left.has(i)) this.#left.set(i, { error, site });
  }

  isLive(i: number): boolean {
    return !this.#left.has(i);
  }

  /** Indices of the live members, ascending. */
  live(): number[] {
    return this.#paths.map((_, i) => i).filter((i) => this.isLive(i));
  }

  /** Indices of the members that left, ascending. */
  left(): number[] {
    return [...this.#left.keys()].sort((a, b) => a - b);
  }

  /** The group's outputs: each live member's value (`valueOf(i)`), each member that left as `SKY_UNIT_FAILED` with its error as cause. */
  outcomes(valueOf: (i: number) => unknown): WireOutcome[] {
    return this.#paths.map((path, i) => {
      const left = this.#left.get(i);
      return left ? failedOutcome(unitFailed(path, left.site, left.error)) : { ok: true, value: valueOf(i) };
    });
  }
}

/** Why a member that had not reached gather `site` when its quorum or deadline was met fails for the group. */
export function lateForGather(path: string, site: string, why: string): SkyloomError {
  return new SkyloomError(ErrorCode.GatherLate, `${path} had not reached ${site} when ${why}: it leaves the group`, { unitPath: path, site });
}

/** Why a retried member fails on resume at a gather whose recorded membership leaves it out. */
export function notAMember(path: string, site: string, number: number): SkyloomError {
  const message = `${path} reached ${site}, but the earlier attempt recorded collective #${number} of its group without it: to keep the recorded results it leaves the group`;
  return new SkyloomError(ErrorCode.NotAMember, message, { unitPath: path, site });
}
