/**
 * The `quorum` / `deadlineMs` of a gather, as one phase of a group sees it: armed by the first member
 * that reaches the gather with either option, `met` once enough live members arrived or the deadline
 * passed since that first arrival. The group loop then stops waiting: the members still running their
 * phase are late and fail for the group (`SKY_GATHER_LATE`).
 *
 * Which members make it depends on timing (on the inline runner, members run in member order, so the
 * lowest indices do); the group loop records the membership in the ledger so resume and replay give the
 * same answer. It does not cancel or record anything itself.
 */
import type { MemberArrival } from './group-driver.ts';

export class GatherCutoff {
  /** Resolves once the cutoff is met; never rejects. */
  readonly met: Promise<void>;
  readonly #settle: () => void;
  #arrived = 0;
  #quorum: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #met = false;
  #why = '';

  constructor() {
    let settle!: () => void;
    this.met = new Promise((resolve) => (settle = resolve));
    this.#settle = settle;
  }

  get isMet(): boolean {
    return this.#met;
  }

  /** True once a member reached the gather with a quorum or a deadline: only then can it be met. */
  get armed(): boolean {
    return this.#quorum !== undefined || this.#timer !== undefined || this.#met;
  }

  /** Says why the cutoff was met, for the late members' errors. */
  get why(): string {
    return this.#why;
  }

  /** Counts a member's arrival at the end of its phase. */
  arrive(arrival: MemberArrival): void {
    if (arrival.kind !== 'gather' || this.#met) return;
    this.#arrived++;
    if (this.#arrived === 1) this.#arm(arrival);
    if (this.#quorum !== undefined && this.#arrived >= this.#quorum) this.#meet(`the quorum of ${this.#quorum} members was met`);
  }

  /** Stops the deadline's timer. Idempotent. */
  dispose(): void {
    clearTimeout(this.#timer);
  }

  #arm(first: Extract<MemberArrival, { kind: 'gather' }>): void {
    this.#quorum = first.quorum;
    const deadline = first.deadlineMs;
    if (deadline !== undefined) this.#timer = setTimeout(() => this.#meet(`its deadline of ${deadline} ms after the first arrival passed`), deadline);
  }

  #meet(why: string): void {
    if (this.#met) return;
    this.#met = true;
    this.#why = why;
    this.dispose();
    this.#settle();
  }
}

/** A gather op's `quorum` / `deadlineMs`, as fields of its arrival (absent when not given). */
export function cutoffOptions(quorum: number | undefined, deadlineMs: number | undefined): { quorum?: number; deadlineMs?: number } {
  return { ...(quorum === undefined ? {} : { quorum }), ...(deadlineMs === undefined ? {} : { deadlineMs }) };
}
