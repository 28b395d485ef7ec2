/**
 * The run's journal (the ledger, when a run keeps one) composed around one group from outside the
 * group loop, through its `GroupLayer` seam: before the group runs, it asks what an earlier attempt
 * recorded (`recall`) and tells the journal which members start; then it records how members end,
 * which collectives complete (with their membership when some had left) and who left a `'collect'`
 * group. On resume, members recorded as finished are settled with their outputs, and the collectives
 * they went through are decided by the recorded central results and memberships (a retried member
 * the record left out leaves with `SKY_NOT_A_MEMBER`), so recorded results stand exactly.
 *
 * It keeps nothing itself and knows nothing of how the journal stores records (`lib/ledger/`).
 */
import type { GroupJournal, GroupRecall, MemberSpec, RefAccess } from '../../lib/journal.ts';
import type { DecidedCollective, GroupLayer } from './group-layer.ts';
import { notAMember } from './live-members.ts';

/** The run's journal and access to the store the group's values live in (this thread's, or the worker hosts'). */
export interface GroupJournalAccess {
  readonly journal: GroupJournal;
  readonly refs: RefAccess;
}

/** Recalls `group` from the journal and tells it the members that start; resolves with the layer `runGroup` is given. */
export async function journalLayer(access: GroupJournalAccess, group: string, specs: readonly MemberSpec[]): Promise<GroupLayer> {
  const { journal, refs } = access;
  const recall = await journal.recall(group, specs, refs);
  const settled = recall && recall.finished.size > 0 ? recall : undefined;
  // Every member settled: the group runs nothing, so nothing starts or ends.
  if (settled?.finished.size === specs.length) return { settled: settled.finished };
  specs.forEach((spec, i) => settled?.finished.has(i) || journal.memberStarted(spec, refs));
  const path = (i: number): string => (specs[i] as MemberSpec).path;
  return {
    ...(settled ? { settled: settled.finished, decided: recorded(settled, path) } : {}),
    memberEnded(i, end) {
      const bytesPut = end.bytesPut ?? null;
      if (end.kind === 'returned') journal.memberReturned(path(i), end.value, refs, bytesPut);
      else journal.memberFailed(path(i), end.site, end.error, bytesPut);
    },
    collectiveCompleted(number, reply, perMember, members) {
      journal.collectiveCompleted(group, number, specs, reply, perMember, refs, members);
    },
    groupEnded(left) {
      journal.groupEnded(group, left);
    },
  };
}

/** The collectives the settled members went through, as recorded: results and (when some had left) memberships. */
function recorded(recall: GroupRecall, path: (i: number) => string): (number: number) => DecidedCollective | undefined {
  const decided: DecidedCollective[] = recall.collectives.map((value, k) => {
    const number = k + 1;
    const members = recall.memberships[k];
    const result = { ok: true as const, value };
    return members ? { result, membership: { members, leftWith: (i: number, site: string) => notAMember(path(i), site, number) } } : { result };
  });
  return (number) => decided[number - 1];
}
