import type { Reply } from './activator.ts';
import type { Ref } from './ref.ts';
/** What the journal reads of a member: a `UnitSpec` has it, and so does a spec that crossed a thread. */
export interface MemberSpec {
  readonly path: string;
  readonly index: number;
  readonly input: unknown;
  readonly algorithm: { readonly moduleUrl: string; readonly name: string };
}

/** How a journal reads and writes values in the store of the group it records. */
export interface RefAccess {
  /** Runs `use` on the value behind `ref`, which is only borrowed while `use` runs (a transfer ref's arrays are detached after). */
  read<T>(ref: Ref, use: (value: unknown) => T | Promise<T>): Promise<T>;
  write(value: unknown): Promise<Ref>;
}

/** What an earlier attempt of the run recorded of one group. */
export interface GroupRecall {
  /** Outputs of the members that finished, by member index, refs restored into this run's store. */
  readonly finished: ReadonlyMap<number, unknown>;
  /** Central results of the collectives the group completed, collective 1 first. */
  readonly collectives: readonly unknown[];
  /** Which members each of those collectives had (member indices; undefined: all of them). */
  readonly memberships: readonly (readonly number[] | undefined)[];
}

/**
 * What a run's journal (the ledger) is told of every group and asked about it, by the layer runners
 * compose around each group (`runners/shared/journal-layer.ts`), on the coordinating thread only. Recording calls never throw and need not be awaited: a journal
 * orders and batches its own writes. This interface says nothing of how or where records are kept.
 */
export interface GroupJournal {
  /** What an earlier attempt recorded of `group`, if this run resumes one. */
  recall(group: string, specs: readonly MemberSpec[], refs: RefAccess): Promise<GroupRecall | undefined>;
  memberStarted(spec: MemberSpec, refs: RefAccess): void;
  /** `bytesPut`: what the member put into the store over its life, when its runner knows. */
  memberReturned(path: string, output: unknown, refs: RefAccess, bytesPut: number | null): void;
  memberFailed(path: string, site: string, error: unknown, bytesPut: number | null): void;
  /** `members`: the member indices the central saw, when members had left the group (`onFailure: 'collect'`); its replies went to them only. */
  collectiveCompleted(group: string, number: number, specs: readonly MemberSpec[], result: Reply, perMember: boolean, refs: RefAccess, members?: readonly number[]): void;
  /** A `'collect'` group ended: `left` are the members that failed and left it (none: empty), so a resume re-runs them and the units above. */
  groupEnded(group: string, left: readonly number[]): void;
  /** Resolves when everything recorded so far is done; a runner awaits it before closing its store. */
  settle(): Promise<void>;
}
