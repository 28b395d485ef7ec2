import { start, type Reply } from '../../lib/activator.ts';
import { centralFailed, distribute, resolveCollective, type CollectiveArrival } from '../../lib/collective.ts';
import { cancelled, unitFailed } from '../../lib/errors.ts';
import type { Emit } from '../../lib/events.ts';
import type { FailurePolicy } from '../../lib/primitive.ts';
import type { StatsRecorder } from '../../lib/stats.ts';
import { GatherCutoff } from './gather-cutoff.ts';
import type { GroupDriver, MemberArrival } from './group-driver.ts';
import type { DecidedMembership, GroupLayer } from './group-layer.ts';
import { lateForGather, LiveMembers } from './live-members.ts';
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
  /** The scatter's `onFailure`: `'fail'` by default. */
  readonly onFailure?: FailurePolicy;
  /** Kept around the group from outside (the run ledger, a replay's memberships): told what happens, may decide parts (`group-layer.ts`). */
  readonly layer?: GroupLayer;
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
 * A layer (`group-layer.ts`) may settle members (known outputs: only the others run, and a group
 * whose members are all settled runs nothing) and decide collectives (a central result in place of
 * the central function, a membership in place of a quorum or deadline); it is told how members end
 * and collectives complete. The run ledger is composed around a group that way (`journal-layer.ts`).
 */
export async function runGroup(driver: GroupDriver, options: GroupOptions): Promise<unknown[]> {
  const members = options.onFailure === 'collect' ? new LiveMembers(driver.paths) : undefined;
  const settled = options.layer?.settled;
  if (settled && settled.size === driver.paths.length) {
    const outputs = driver.paths.map((_, i) => settled.get(i));
    return members ? members.outcomes((i) => outputs[i]) : outputs;
  }
  return runPhases(driver, options, settled && settled.size > 0 ? settled : undefined, members);
}

async function runPhases(driver: GroupDriver, options: GroupOptions, settled: ReadonlyMap<number, unknown> | undefined, members: LiveMembers | undefined): Promise<unknown[]> {
  const { paths } = driver;
  const all = paths.map((_, i) => i);
  let replies: (Reply | undefined)[] = paths.map(() => start); // undefined: the member left the group
  for (let number = 1; ; number++) {
    const decided = options.layer?.decided?.(number);
    const phase = await runPhase(driver, replies, options, settled, members !== undefined, decided === undefined);
    const { arrivals } = phase;
    try {
      if (options.signal.aborted) throw await cancelAll(driver, arrivals, -1, cancelled(options.group));
      if (phase.failure) throw await failPhase(driver, phase);
      if (members) leaveFailed(members, arrivals);
      const membership = members ? decided?.membership : undefined; // a 'fail' group never loses a member
      if (members && membership) leaveOutside(members, arrivals, membership);
      const live = members ? members.live() : all;
      if (settled) fillSettled(arrivals, settled, decided?.result !== undefined, live);
      const resolution = resolveCollective(live.map((i) => arrivals[i] as CollectiveArrival), live.map((i) => paths[i] as string));
      if (resolution.kind === 'outputs') return finish(options, members, (i) => (arrivals[i] as CollectiveArrival).value, resolution.outputs);
      if (resolution.kind === 'mismatch') {
        const index = live[resolution.index] as number;
        throw await cancelAll(driver, arrivals, index, unitFailed(paths[index] as string, (arrivals[index] as CollectiveArrival).site, resolution.error));
      }
      const failed = driver.watchWaiting && !members ? phase.failed : undefined; // only a watched member fails while waiting
      const next = await completeCollective(driver, arrivals, { ...resolution, live, answered: membership?.members ?? live }, options, number, decided?.result, failed);
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

/** The group's outputs; under 'collect' every member's outcome, and the layer learns who left. */
function finish(options: GroupOptions, members: LiveMembers | undefined, valueOf: (i: number) => unknown, outputs: unknown[]): unknown[] {
  if (!members) return outputs;
  options.layer?.groupEnded?.(members.left());
  return members.outcomes(valueOf);
}

/** Under 'collect', members that failed in this phase (or while waiting) leave the group. */
function leaveFailed(members: LiveMembers, arrivals: Arrivals): void {
  arrivals.forEach((a, i) => a?.kind === 'failed' && members.leave(i, a.error, a.site));
}

/** A live member at a gather whose decided membership leaves it out leaves the group, with the error the layer gives. */
function leaveOutside(members: LiveMembers, arrivals: Arrivals, membership: DecidedMembership): void {
  for (const i of members.live()) {
    const a = arrivals[i];
    if (a?.kind === 'gather' && !membership.members.includes(i)) members.leave(i, membership.leftWith(i, a.site), a.site);
  }
}

/** Cancels every other member and returns the error the group fails with: the phase's failure. */
function failPhase(driver: GroupDriver, phase: PhaseArrivals): Promise<Error> {
  const { index, site, error } = phase.failure as PhaseFailure; // set whenever `failed` settled
  return cancelAll(driver, phase.arrivals, index, unitFailed(driver.paths[index] as string, site, error));
}

/**
 * Settled members stand in a phase whose central result is decided as a live member at its gather
 * does, and otherwise (the group's end) with their known outputs.
 */
function fillSettled(arrivals: Arrivals, settled: ReadonlyMap<number, unknown>, resultDecided: boolean, live: readonly number[]): void {
  const standIn = live.map((i) => arrivals[i]).find((a) => a?.kind === 'gather' || a?.kind === 'returned') as CollectiveArrival | undefined;
  for (const [i, output] of settled) {
    arrivals[i] = resultDecided && standIn?.kind === 'gather' ? standIn : { kind: 'returned', value: output, site: 'recalled' };
  }
}

interface Collective {
  readonly values: unknown[];
  readonly perMember: boolean;
  /** The live members, whose values these are. */
  readonly live: readonly number[];
  /** The members the central result is for: the live ones, or a decided membership (on resume the recorded one, a superset). */
  readonly answered: readonly number[];
}

async function completeCollective(
  driver: GroupDriver,
  arrivals: Arrivals,
  collective: Collective,
  options: GroupOptions,
  number: number,
  decided: Reply | undefined,
  failed: Promise<undefined> | undefined,
): Promise<(Reply | undefined)[] | undefined> {
  const { live, answered } = collective;
  const owner = live.map((i) => arrivals[i]).find((a) => a?.kind === 'gather') as GatherArrival;
  const result = decided ?? (await runCentral(driver, collective.values, live, failed));
  if (!result) return undefined;
  const ownerPath = driver.paths[live[0] as number] as string;
  const reply: Reply = result.ok ? result : { ok: false, error: centralFailed(result.error, ownerPath, owner.site, owner.centralSite) };
  const partial = live.length < driver.paths.length ? live : undefined;
  if (!decided) options.layer?.collectiveCompleted?.(number, reply, collective.perMember, partial);
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
 * a layer decided waits for its members) ends the phase early: members still
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
    if (arrival.kind === 'returned' || arrival.kind === 'failed') options.layer?.memberEnded?.(i, arrival);
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

/** Cancels, in member order, every member still suspended (all but `except` and those that ended). */
async function cancelAll(driver: GroupDriver, arrivals: Arrivals, except: number, error: Error): Promise<Error> {
  for (let i = 0; i < arrivals.length; i++) {
    const kind = arrivals[i]?.kind;
    if (i !== except && kind !== 'returned' && kind !== 'failed' && kind !== 'cancelled') await driver.cancel(i);
  }
  return error;
}
