import { start, type Reply } from '../../lib/activator.ts';
import { centralFailed, distribute, resolveCollective, type CollectiveArrival } from '../../lib/collective.ts';
import { cancelled, unitFailed } from '../../lib/errors.ts';
import type { Emit } from '../../lib/events.ts';
import type { GroupJournal, GroupRecall, MemberSpec, RefAccess } from '../../lib/journal.ts';
import type { FailurePolicy } from '../../lib/primitive.ts';
import type { StatsRecorder } from '../../lib/stats.ts';
import { GatherCutoff } from './gather-cutoff.ts';
import type { GroupDriver, MemberArrival } from './group-driver.ts';
import { lateForGather, LiveMembers, notAMember } from './live-members.ts';
import { PhaseArrivals, type PhaseFailure } from './phase-arrivals.ts';

export interface GroupOptions {
  /** Path of the group in events: the parent's path and the scatter label, e.g. `root/sensor`. */
  readonly group: string;
  /** Step members at once (cluster) rather than one at a time in member order (inline, laptop). */
  readonly concurrent: boolean;
  /** Aborted when the parent is cancelled or the run stops. */
  readonly signal: AbortSignal;
  readonly emit: Emit;
  readonly stats: StatsRecorder;
  /** The run's journal (ledger), with the members' specs and access to the group's store. */
  readonly journal?: { readonly journal: GroupJournal; readonly specs: readonly MemberSpec[]; readonly refs: RefAccess };
  /** The scatter's `onFailure`: `'fail'` by default. */
  readonly onFailure?: FailurePolicy;
  /** A replay's recorded memberships, imposed on a live group instead of its quorums and deadlines. */
  readonly imposed?: ImposedMemberships;
}

/**
 * What a recorded run decided for a `'collect'` group whose gathers had a quorum or deadline: the
 * members each collective had, and the error each member that left was recorded with. A replay runs
 * the group live with these, so its timing decides nothing again.
 */
export interface ImposedMemberships {
  /** The members collective `number` had, when some had left; undefined: all live ones. */
  membership(number: number): readonly number[] | undefined;
  /** The error member i left with in the recorded run (at gather `site`). */
  leftWith(i: number, site: string): unknown;
}

type Arrivals = (MemberArrival | undefined)[];
type GatherArrival = Extract<CollectiveArrival, { kind: 'gather' }>;

/**
 * Runs one group phase by phase: every member runs to its next gather (or its end); then the group
 * completes the collective and resumes all members, or returns the outputs, or fails. The failure
 * reported is the one of the earliest phase and, within it, of the lowest member index; everyone else
 * is cancelled. Rejects with `SKY_UNIT_FAILED` (or `SKY_CANCELLED` when `signal` aborts). A member
 * that fails while it waits at a gather (a driver with `watchWaiting`) fails the phase it waits in, at
 * once: the group does not wait for members above it nor for the central function.
 *
 * Under `onFailure: 'collect'` a failed member leaves the group instead (`live-members.ts`): the
 * others go on, centrals see the live members' values and indices, and the outputs are every member's
 * outcome. Only a mismatch or a cancel fails such a group.
 *
 * When the journal recalls members that finished in an earlier attempt, only the others run: they
 * are answered from the recorded collectives, and the finished members' outputs are read back.
 */
export async function runGroup(driver: GroupDriver, options: GroupOptions): Promise<unknown[]> {
  const j = options.journal;
  const members = options.onFailure === 'collect' ? new LiveMembers(driver.paths) : undefined;
  const recall = j ? await j.journal.recall(options.group, j.specs, j.refs) : undefined;
  if (recall && recall.finished.size === driver.paths.length) {
    const outputs = driver.paths.map((_, i) => recall.finished.get(i));
    return members ? members.outcomes((i) => outputs[i]) : outputs;
  }
  const resumed = recall && recall.finished.size > 0 ? recall : undefined;
  if (j) driver.paths.forEach((_, i) => resumed?.finished.has(i) || j.journal.memberStarted(j.specs[i] as MemberSpec, j.refs));
  return runPhases(driver, options, resumed, members);
}

async function runPhases(driver: GroupDriver, options: GroupOptions, resumed: GroupRecall | undefined, members: LiveMembers | undefined): Promise<unknown[]> {
  const { paths } = driver;
  const all = paths.map((_, i) => i);
  let replies: (Reply | undefined)[] = paths.map(() => start); // undefined: the member left the group
  for (let number = 1; ; number++) {
    const recordedAt = resumed && number <= resumed.collectives.length ? number - 1 : undefined;
    const imposed = members ? options.imposed?.membership(number) : undefined;
    const phase = await runPhase(driver, replies, options, resumed?.finished, members !== undefined, recordedAt === undefined && imposed === undefined);
    const { arrivals } = phase;
    try {
      if (options.signal.aborted) throw await cancelAll(driver, arrivals, -1, cancelled(options.group));
      if (phase.failure) throw await failPhase(driver, phase);
      if (members) leaveFailed(members, arrivals);
      const membership = (recordedAt === undefined ? undefined : resumed?.memberships[recordedAt]) ?? imposed;
      if (members && membership) leaveUnrecorded(members, arrivals, membership, paths, number, imposed ? options.imposed : undefined);
      const live = members ? members.live() : all;
      if (resumed) fillRecalled(arrivals, resumed, number, live);
      const resolution = resolveCollective(live.map((i) => arrivals[i] as CollectiveArrival), live.map((i) => paths[i] as string));
      if (resolution.kind === 'outputs') return finish(options, members, (i) => (arrivals[i] as CollectiveArrival).value, resolution.outputs);
      if (resolution.kind === 'mismatch') {
        const index = live[resolution.index] as number;
        throw await cancelAll(driver, arrivals, index, unitFailed(paths[index] as string, (arrivals[index] as CollectiveArrival).site, resolution.error));
      }
      const recorded = recordedAt === undefined ? undefined : { ok: true as const, value: resumed?.collectives[recordedAt] };
      const failed = driver.watchWaiting && !members ? phase.failed : undefined; // only a watched member fails while waiting
      const next = await completeCollective(driver, arrivals, { ...resolution, live, answered: membership ?? live }, options, number, recorded, failed);
      // A member that failed while the central function ran fails the group, instead of being resumed.
      if (phase.failure || !next) throw await failPhase(driver, phase);
      if (members) leaveFailed(members, arrivals); // under 'collect' it leaves instead
      replies = members ? next.map((reply, i) => (members.isLive(i) ? reply : undefined)) : next;
      options.stats.collectives++;
      options.emit({ type: 'collective-completed', group: options.group, number, members: live.length });
    } finally {
      phase.endWatches(); // members are resumed (or the group ended): a failure now shows in their next step
    }
  }
}

/** The group's outputs; under 'collect' every member's outcome, and the journal learns who left. */
function finish(options: GroupOptions, members: LiveMembers | undefined, valueOf: (i: number) => unknown, outputs: unknown[]): unknown[] {
  if (!members) return outputs;
  options.journal?.journal.groupEnded(options.group, members.left());
  return members.outcomes(valueOf);
}

/** Under 'collect', members that failed in this phase (or while waiting) leave the group. */
function leaveFailed(members: LiveMembers, arrivals: Arrivals): void {
  arrivals.forEach((a, i) => a?.kind === 'failed' && members.leave(i, a.error, a.site));
}

/**
 * On resume, a retried member at a gather that the earlier attempt completed without it leaves the
 * group; in a replay (`imposed`) it leaves with the error it was recorded with (late, say).
 */
function leaveUnrecorded(members: LiveMembers, arrivals: Arrivals, membership: readonly number[], paths: readonly string[], number: number, imposed?: ImposedMemberships): void {
  for (const i of members.live()) {
    const a = arrivals[i];
    if (a?.kind === 'gather' && !membership.includes(i)) members.leave(i, imposed ? imposed.leftWith(i, a.site) : notAMember(paths[i] as string, a.site, number), a.site);
  }
}

/** Cancels every other member and returns the error the group fails with: the phase's failure. */
function failPhase(driver: GroupDriver, phase: PhaseArrivals): Promise<Error> {
  const { index, site, error } = phase.failure as PhaseFailure; // set whenever `failed` settled
  return cancelAll(driver, phase.arrivals, index, unitFailed(driver.paths[index] as string, site, error));
}

/** Members recalled as finished stand in the phase as a live member does, or with their recorded output at the end. */
function fillRecalled(arrivals: Arrivals, resumed: GroupRecall, number: number, live: readonly number[]): void {
  const standIn = live.map((i) => arrivals[i]).find((a) => a?.kind === 'gather' || a?.kind === 'returned') as CollectiveArrival | undefined;
  for (const [i, output] of resumed.finished) {
    arrivals[i] = number <= resumed.collectives.length && standIn?.kind === 'gather' ? standIn : { kind: 'returned', value: output, site: 'recalled' };
  }
}

interface Collective {
  readonly values: unknown[];
  readonly perMember: boolean;
  /** The live members, whose values these are. */
  readonly live: readonly number[];
  /** The members the central result is for: the live ones, or on resume the recorded membership (a superset). */
  readonly answered: readonly number[];
}

async function completeCollective(
  driver: GroupDriver,
  arrivals: Arrivals,
  collective: Collective,
  options: GroupOptions,
  number: number,
  recorded: Reply | undefined,
  failed: Promise<undefined> | undefined,
): Promise<(Reply | undefined)[] | undefined> {
  const { live, answered } = collective;
  const owner = live.map((i) => arrivals[i]).find((a) => a?.kind === 'gather') as GatherArrival;
  const result = recorded ?? (await runCentral(driver, collective.values, live, failed));
  if (!result) return undefined;
  const ownerPath = driver.paths[live[0] as number] as string;
  const reply: Reply = result.ok ? result : { ok: false, error: centralFailed(result.error, ownerPath, owner.site, owner.centralSite) };
  const j = options.journal;
  const partial = live.length < driver.paths.length ? live : undefined;
  if (j && !recorded) j.journal.collectiveCompleted(options.group, number, j.specs, reply, collective.perMember, j.refs, partial);
  const replies = distribute(reply, collective.perMember, answered.map((i) => driver.paths[i] as string), owner.site);
  // By member index (undefined: not answered), as the next phase takes them: no map or entry pair per member.
  if (answered.length === driver.paths.length && answered.every((i, k) => i === k)) return replies;
  const byMember: (Reply | undefined)[] = driver.paths.map(() => undefined);
  answered.forEach((i, k) => (byMember[i] = replies[k]));
  return byMember;
}

/** The first live member's central function on `values`; undefined once `failed` settles first (the group is doomed: its result is not waited for). */
function runCentral(driver: GroupDriver, values: unknown[], live: readonly number[], failed: Promise<undefined> | undefined): Promise<Reply | undefined> {
  const central = driver.central(values, live);
  return failed ? Promise.race([central, failed]) : central;
}

/**
 * Runs every member still in the group to the end of its phase; stops early (sequential) or cancels
 * above (concurrent) a failure. Members that reach the gather are watched while they wait, if the
 * driver can. A gather's quorum or deadline (`gather-cutoff.ts`, unless `cutoffs` is false: a phase
 * answered from the ledger waits for its recorded members) ends the phase early: members still
 * running it are cancelled and fail as late.
 */
async function runPhase(
  driver: GroupDriver,
  replies: readonly (Reply | undefined)[],
  options: GroupOptions,
  skip: ReadonlyMap<number, unknown> | undefined,
  collect: boolean,
  cutoffs: boolean,
): Promise<PhaseArrivals> {
  const phase = new PhaseArrivals(replies.length, collect);
  const cutoff = new GatherCutoff();
  const runs = (i: number): boolean => replies[i] !== undefined && !skip?.has(i);
  const arrive = (i: number, arrival: MemberArrival): void => {
    if (phase.closed) return;
    record(options, driver.paths[i] as string, arrival);
    if (cutoffs) cutoff.arrive(arrival);
    if (!phase.arrive(i, arrival) || !options.concurrent) return;
    // Members above a known failure cannot change the outcome: cancel them at once.
    for (let j = i + 1; j < replies.length; j++) if (!phase.arrivals[j]) void driver.cancel(j);
  };
  const arrived = (i: number, arrival: MemberArrival): void => {
    arrive(i, arrival);
    if (arrival.kind === 'gather' && driver.watchWaiting && !phase.closed) phase.addWatch(driver.watchWaiting(i, (failed) => arrive(i, failed)));
  };
  const step = async (i: number): Promise<void> => {
    if (runs(i)) arrived(i, await driver.toCollective(i, replies[i] as Reply));
  };
  try {
    if (options.concurrent) {
      const onAbort = (): void => replies.forEach((_, j) => void driver.cancel(j));
      options.signal.addEventListener('abort', onAbort, { once: true });
      try {
        await Promise.race([Promise.all(replies.map((_, i) => step(i))), cutoff.met]);
      } finally {
        options.signal.removeEventListener('abort', onAbort);
      }
    } else {
      // One await per member, no async function of ours in between (the common case); once a gather's
      // quorum or deadline is armed, each step is raced against it: a member that awaits past it is late.
      for (let i = 0; i < replies.length && !phase.failure && !options.signal.aborted && !cutoff.isMet; i++) {
        if (!runs(i)) continue;
        if (cutoff.armed) await Promise.race([step(i), cutoff.met]);
        else arrived(i, await driver.toCollective(i, replies[i] as Reply));
      }
    }
    if (cutoff.isMet) leaveLate(driver, phase, replies.map((_, i) => i).filter((i) => runs(i) && !phase.arrivals[i]), arrive, cutoff.why);
  } finally {
    cutoff.dispose();
  }
  return phase;
}

/** Members that had not arrived when the cutoff was met are cancelled and fail as late; then the phase closes. */
function leaveLate(driver: GroupDriver, phase: PhaseArrivals, late: readonly number[], arrive: (i: number, a: MemberArrival) => void, why: string): void {
  const site = (phase.arrivals.find((a) => a?.kind === 'gather') as GatherArrival).site;
  for (const i of late) {
    void driver.cancel(i); // not awaited: a step running in this thread ends its await first, and the group need not wait for it
    arrive(i, { kind: 'failed', error: lateForGather(driver.paths[i] as string, site, why), site });
  }
  phase.close();
}

function record(options: GroupOptions, path: string, arrival: MemberArrival): void {
  const j = options.journal;
  if (!j) return;
  const bytesPut = arrival.bytesPut ?? null;
  if (arrival.kind === 'returned') j.journal.memberReturned(path, arrival.value, j.refs, bytesPut);
  else if (arrival.kind === 'failed') j.journal.memberFailed(path, arrival.site, arrival.error, bytesPut);
}

/** Cancels, in member order, every member still suspended (all but `except` and those that ended). */
async function cancelAll(driver: GroupDriver, arrivals: Arrivals, except: number, error: Error): Promise<Error> {
  for (let i = 0; i < arrivals.length; i++) {
    const kind = arrivals[i]?.kind;
    if (i !== except && kind !== 'returned' && kind !== 'failed' && kind !== 'cancelled') await driver.cancel(i);
  }
  return error;
}
