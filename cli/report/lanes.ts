/**
 * Lanes of the report's timeline: one per host/thread that ran steps (the run's main thread, each
 * cluster worker, each Slurm task), in that order (hosts by number). A host's steps go in its lane;
 * if two of them overlapped in time (units interleaved at awaits on one thread, or a ledger written
 * before hosts were recorded, whose steps have no host) the later one goes in a further lane of the
 * same host (`worker 1 · 2`), placed greedily in the first one free at its start. Pure.
 */
import { mainThread } from '../../lib/ledger/timeline-recorder.ts';

export interface Lanes {
  /** The lane of each step, by index into `labels`. */
  readonly of: readonly number[];
  readonly labels: readonly string[];
}

/** The name of steps with no recorded host (ledgers written before hosts were). */
export const unknownHost = 'thread';

export function assignLanes(steps: readonly { readonly start: number; readonly end: number; readonly host: string | null }[]): Lanes {
  const byHost = new Map<string, number[]>(); // step indices, by host
  for (const [i, step] of steps.entries()) {
    const host = step.host ?? unknownHost;
    const list = byHost.get(host);
    if (list) list.push(i);
    else byHost.set(host, [i]);
  }
  const of: number[] = new Array<number>(steps.length).fill(0);
  const labels: string[] = [];
  for (const host of [...byHost.keys()].sort(hostOrder)) {
    const order = (byHost.get(host) ?? []).sort((a, b) => (steps[a]?.start ?? 0) - (steps[b]?.start ?? 0));
    const freeAt: number[] = [];
    const first = labels.length;
    for (const i of order) {
      const step = steps[i];
      if (!step) continue;
      let lane = freeAt.findIndex((t) => t <= step.start);
      if (lane < 0) lane = freeAt.push(0) - 1;
      freeAt[lane] = Math.max(step.end, step.start);
      of[i] = first + lane;
    }
    labels.push(...freeAt.map((_, k) => (k === 0 ? host : `${host} · ${k + 1}`)));
  }
  return { of, labels };
}

/** The main thread first, then hosts by name with their numbers compared as numbers (`worker 2` before `worker 10`). */
const collator = new Intl.Collator('en', { numeric: true });
function hostOrder(a: string, b: string): number {
  const main = (h: string): number => (h === mainThread ? 0 : 1);
  return main(a) - main(b) || collator.compare(a, b);
}
