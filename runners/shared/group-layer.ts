/**
 * The group loop's one seam for something kept around a group from outside it: told how members end
 * and collectives complete, and able to decide parts of the group in place of running them. The run
 * ledger is composed around a group through it (`journal-layer.ts`: record, and on resume answer from
 * the earlier attempt), and so is a replay's recorded memberships (`runners/recorded-memberships.ts`).
 *
 * `runGroup` knows nothing of ledgers, journals or replays beyond this shape; a group run with no
 * layer pays one property check per arrival. It does not say how anything is kept or read back.
 */
import type { Reply } from '../../lib/activator.ts';
import type { MemberArrival } from './group-driver.ts';

/** What a layer decides of collective `number` instead of the group deciding it. */
export interface DecidedCollective {
  /** The central result, in place of running the central function (on resume: the recorded one). */
  readonly result?: Reply;
  /** Whom the collective has, in place of a quorum or deadline deciding; undefined: every live member. */
  readonly membership?: DecidedMembership;
}

/**
 * The members a collective has (ascending member indices). Live members outside it leave the group at
 * that gather with `leftWith(i, site)`. Applied under `onFailure: 'collect'` only (a `'fail'` group
 * never loses a member).
 */
export interface DecidedMembership {
  readonly members: readonly number[];
  leftWith(i: number, site: string): unknown;
}

/** An arrival that ends a member: it returned or failed. */
export type MemberEnd = Extract<MemberArrival, { kind: 'returned' | 'failed' }>;

export interface GroupLayer {
  /**
   * Members whose outputs are known without running them (an earlier attempt's, by member index). They
   * do not run: in a phase with a decided central result they stand at the gather as a live member
   * does, and they end with these outputs. When every member is here, the group runs nothing at all.
   */
  readonly settled?: ReadonlyMap<number, unknown>;
  /** Collective `number` (1 first) as decided outside the group, if it is. A decided phase waits for its members: no quorum or deadline ends it. */
  decided?(number: number): DecidedCollective | undefined;
  /** Member `i` ended (returned or failed; its runner may say the bytes it put). Called on the coordinating thread; must not throw. */
  memberEnded?(i: number, end: MemberEnd): void;
  /** Collective `number`'s central ran and gave `reply`; `members`: whom it had, when some had left the group. Not called for a decided result. */
  collectiveCompleted?(number: number, reply: Reply, perMember: boolean, members?: readonly number[]): void;
  /** A `'collect'` group ended; `left` are the members that left it (none: empty). */
  groupEnded?(left: readonly number[]): void;
}
