import { start, type Reply } from '../../lib/activator.ts';
import { centralFailed, distribute, resolveCollective, type CollectiveArrival } from '../../lib/collective.ts';
import { cancelled, unitFailed } from '../../lib/errors.ts';
import type { Emit } from '../../lib/events.ts';
import type { GroupJournal, GroupRecall, MemberSpec, RefAccess } from '../../lib/journal.ts';
import type { StatsRecorder } from '../../lib/stats.ts';
import type { GroupDriver, MemberArrival } from './group-driver.ts';
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
}

type Arrivals = (MemberArrival | undefined)[];

/**
 * Runs one group phase by phase: every member runs to its next gather (or its end); then the group
 * completes the collective and resumes all members, or returns the outputs, or fails. The failure
 * reported is the one of the earliest phase and, within it, of the lowest member index; everyone else
 * is cancelled. Rejects with `SKY_UNIT_FAILED` (or `SKY_CANCELLED` when `signal` aborts). A member
 * that fails while it waits at a gather (a driver with `watchWaiting`) fails the phase it waits in, at
 * once: the group does not wait for members above it nor for the central function.
 *
 * When the journal recalls members that finished in an earlier attempt, only the others run: they
 * are answered from the recorded collectives, and the finished members' outputs are read back.
 */
export async function runGroup(driver: GroupDriver, options: GroupOptions): Promise<unknown[]> {
  const j = options.journal;
  const recall = j ? await j.journal.recall(options.group, j.specs, j.refs) : undefined;
  if (recall && recall.finished.size === driver.paths.length) return driver.paths.map((_, i) => recall.finished.get(i));
  const resumed = recall && recall.finished.size > 0 ? recall : undefined;
  if (j) driver.paths.forEach((_, i) => resumed?.finished.has(i) || j.journal.memberStarted(j.specs[i] as MemberSpec, j.refs));
  return runPhases(driver, options, resumed);
}

async function runPhases(driver: GroupDriver, options: GroupOptions, resumed: GroupRecall | undefined): Promise<unknown[]> {
  const { paths } = driver;
  let replies: Reply[] = paths.map(() => start);
  for (let number = 1; ; number++) {
    const phase = await runPhase(driver, replies, options, resumed?.finished);
    const { arrivals } = phase;
    try {
      if (options.signal.aborted) throw await cancelAll(driver, arrivals, -1, cancelled(options.group));
      if (phase.failure) throw await failPhase(driver, phase);
      if (resumed) fillRecalled(arrivals, resumed, number);
      const resolution = resolveCollective(arrivals as CollectiveArrival[], paths);
      if (resolution.kind === 'outputs') return resolution.outputs;
      if (resolution.kind === 'mismatch') {
        const { index, error } = resolution;
        throw await cancelAll(driver, arrivals, index, unitFailed(paths[index] as string, (arrivals[index] as CollectiveArrival).site, error));
      }
      const recorded = resumed && number <= resumed.collectives.length ? { ok: true as const, value: resumed.collectives[number - 1] } : undefined;
      const failed = driver.watchWaiting ? phase.failed : undefined; // only a watched member fails while waiting
      const next = await completeCollective(driver, arrivals as CollectiveArrival[], resolution, options, number, recorded, failed);
      // A member that failed while the central function ran fails the group, instead of being resumed.
      if (phase.failure || !next) throw await failPhase(driver, phase);
      replies = next;
      options.stats.collectives++;
      options.emit({ type: 'collective-completed', group: options.group, number, members: paths.length });
    } finally {
      phase.endWatches(); // members are resumed (or the group ended): a failure now shows in their next step
    }
  }
}

/** Cancels every other member and returns the error the group fails with: the phase's failure. */
function failPhase(driver: GroupDriver, phase: PhaseArrivals): Promise<Error> {
  const { index, site, error } = phase.failure as PhaseFailure; // set whenever `failed` settled
  return cancelAll(driver, phase.arrivals, index, unitFailed(driver.paths[index] as string, site, error));
}

/** Members recalled as finished stand in the phase as a live member does, or with their recorded output at the end. */
function fillRecalled(arrivals: Arrivals, resumed: GroupRecall, number: number): void {
  const live = arrivals.find((a) => a?.kind === 'gather' || a?.kind === 'returned') as CollectiveArrival;
  for (const [i, output] of resumed.finished) {
    arrivals[i] = number <= resumed.collectives.length && live.kind === 'gather' ? live : { kind: 'returned', value: output, site: 'recalled' };
  }
}

async function completeCollective(
  driver: GroupDriver,
  arrivals: readonly CollectiveArrival[],
  collective: { readonly values: unknown[]; readonly perMember: boolean },
  options: GroupOptions,
  number: number,
  recorded: Reply | undefined,
  failed: Promise<undefined> | undefined,
): Promise<Reply[] | undefined> {
  const owner = arrivals.find((a) => a.kind === 'gather') as Extract<CollectiveArrival, { kind: 'gather' }>;
  const result = recorded ?? (await runCentral(driver, collective.values, failed));
  if (!result) return undefined;
  const reply: Reply = result.ok ? result : { ok: false, error: centralFailed(result.error, driver.paths[0] as string, owner.site, owner.centralSite) };
  const j = options.journal;
  if (j && !recorded) j.journal.collectiveCompleted(options.group, number, j.specs, reply, collective.perMember, j.refs);
  return distribute(reply, collective.perMember, driver.paths, owner.site);
}

/** Member 0's central function on `values`; undefined once `failed` settles first (the group is doomed: its result is not waited for). */
function runCentral(driver: GroupDriver, values: unknown[], failed: Promise<undefined> | undefined): Promise<Reply | undefined> {
  const central = driver.central(values);
  return failed ? Promise.race([central, failed]) : central;
}

/**
 * Runs every member to the end of its phase; stops early (sequential) or cancels above (concurrent) a
 * failure. Members that reach the gather are watched while they wait, if the driver can.
 */
async function runPhase(
  driver: GroupDriver,
  replies: readonly Reply[],
  options: GroupOptions,
  skip: ReadonlyMap<number, unknown> | undefined,
): Promise<PhaseArrivals> {
  const phase = new PhaseArrivals(replies.length);
  const arrive = (i: number, arrival: MemberArrival): void => {
    record(options, driver.paths[i] as string, arrival);
    if (!phase.arrive(i, arrival) || !options.concurrent) return;
    // Members above a known failure cannot change the outcome: cancel them at once.
    for (let j = i + 1; j < replies.length; j++) if (!phase.arrivals[j]) void driver.cancel(j);
  };
  const step = async (i: number): Promise<void> => {
    if (skip?.has(i)) return;
    const arrival = await driver.toCollective(i, replies[i] as Reply);
    arrive(i, arrival);
    if (arrival.kind === 'gather' && driver.watchWaiting) phase.addWatch(driver.watchWaiting(i, (failed) => arrive(i, failed)));
  };
  if (options.concurrent) {
    const onAbort = (): void => replies.forEach((_, j) => void driver.cancel(j));
    options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.all(replies.map((_, i) => step(i)));
    } finally {
      options.signal.removeEventListener('abort', onAbort);
    }
  } else {
    for (let i = 0; i < replies.length && !phase.failure && !options.signal.aborted; i++) await step(i);
  }
  return phase;
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
