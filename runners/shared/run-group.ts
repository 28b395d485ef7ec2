import { start, type Reply } from '../../lib/activator.ts';
import { centralFailed, distribute, resolveCollective, type CollectiveArrival } from '../../lib/collective.ts';
import { cancelled, unitFailed } from '../../lib/errors.ts';
import type { Emit } from '../../lib/events.ts';
import type { StatsRecorder } from '../../lib/stats.ts';
import type { GroupDriver, MemberArrival } from './group-driver.ts';

export interface GroupOptions {
  /** Path of the group in events: the parent's path and the scatter label, e.g. `root/sensor`. */
  readonly group: string;
  /** Step members at once (cluster) rather than one at a time in member order (inline, laptop). */
  readonly concurrent: boolean;
  /** Aborted when the parent is cancelled or the run stops. */
  readonly signal: AbortSignal;
  readonly emit: Emit;
  readonly stats: StatsRecorder;
}

type Failure = { readonly index: number; readonly error: unknown; readonly site: string };

/**
 * Runs one group phase by phase: every member runs to its next gather (or its end); then the group
 * completes the collective and resumes all members, or returns the outputs, or fails. The failure
 * reported is the one of the earliest phase and, within it, of the lowest member index; everyone else
 * is cancelled. Rejects with `SKY_UNIT_FAILED` (or `SKY_CANCELLED` when `signal` aborts).
 */
export async function runGroup(driver: GroupDriver, options: GroupOptions): Promise<unknown[]> {
  const { paths } = driver;
  let replies: Reply[] = paths.map(() => start);
  for (let number = 1; ; number++) {
    const { arrivals, failure } = await runPhase(driver, replies, options);
    if (options.signal.aborted) throw await cancelAll(driver, arrivals, -1, cancelled(options.group));
    if (failure) throw await cancelAll(driver, arrivals, failure.index, unitFailed(paths[failure.index] as string, failure.site, failure.error));
    const resolution = resolveCollective(arrivals as CollectiveArrival[], paths);
    if (resolution.kind === 'outputs') return resolution.outputs;
    if (resolution.kind === 'mismatch') {
      const { index, error } = resolution;
      throw await cancelAll(driver, arrivals, index, unitFailed(paths[index] as string, (arrivals[index] as CollectiveArrival).site, error));
    }
    replies = await completeCollective(driver, arrivals as CollectiveArrival[], resolution, options);
    options.stats.collectives++;
    options.emit({ type: 'collective-completed', group: options.group, number, members: paths.length });
  }
}

async function completeCollective(
  driver: GroupDriver,
  arrivals: readonly CollectiveArrival[],
  collective: { readonly values: unknown[]; readonly perMember: boolean },
  options: GroupOptions,
): Promise<Reply[]> {
  const owner = arrivals[0] as Extract<CollectiveArrival, { kind: 'gather' }>;
  const result = await driver.central(collective.values);
  const reply: Reply = result.ok ? result : { ok: false, error: centralFailed(result.error, driver.paths[0] as string, owner.site, owner.centralSite) };
  return distribute(reply, collective.perMember, driver.paths, owner.site);
}

/** Runs every member to the end of its phase; stops early (sequential) or cancels above (concurrent) a failure. */
async function runPhase(driver: GroupDriver, replies: readonly Reply[], options: GroupOptions): Promise<{ arrivals: (MemberArrival | undefined)[]; failure?: Failure }> {
  const arrivals: (MemberArrival | undefined)[] = replies.map(() => undefined);
  let failure: Failure | undefined;
  const step = async (i: number): Promise<void> => {
    const arrival = await driver.toCollective(i, replies[i] as Reply);
    arrivals[i] = arrival;
    if (arrival.kind !== 'failed' || (failure && failure.index < i)) return;
    failure = { index: i, error: arrival.error, site: arrival.site };
    // Members above a known failure cannot change the outcome: cancel them at once.
    if (options.concurrent) for (let j = i + 1; j < replies.length; j++) if (!arrivals[j]) void driver.cancel(j);
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
    for (let i = 0; i < replies.length && !failure && !options.signal.aborted; i++) await step(i);
  }
  return failure ? { arrivals, failure } : { arrivals };
}

/** Cancels, in member order, every member still suspended (all but `except` and those that ended). */
async function cancelAll(driver: GroupDriver, arrivals: readonly (MemberArrival | undefined)[], except: number, error: Error): Promise<Error> {
  for (let i = 0; i < arrivals.length; i++) {
    const kind = arrivals[i]?.kind;
    if (i !== except && kind !== 'returned' && kind !== 'failed' && kind !== 'cancelled') await driver.cancel(i);
  }
  return error;
}
