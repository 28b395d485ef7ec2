/**
 * Notices a run in this thread (inline, laptop) that can never end: the process's event loop has
 * emptied (Node's `beforeExit`) while the run still waits, so every promise a unit awaits can no longer
 * settle (a member awaiting `new Promise(() => {})`, a central function that never resolves). Without
 * this, node exits with code 13 and prints nothing. The run then fails with `SKY_STALLED`, naming the
 * units whose steps (or central functions) were pending.
 *
 * What it cannot catch: a step busy in this thread (`for(;;){}`) never lets the loop run at all, and
 * nothing in the same thread can interrupt it (use the cluster runner's step timeout); and a loop kept
 * alive by something else (a server, an interval) never empties. The `beforeExit` listener is added for
 * the run's duration only: importing skyloom changes nothing process-wide.
 */
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';

/** The steps and central calls under way in a local run, by unit path. */
export class PendingSteps {
  readonly #pending = new Map<number, string>();
  /** Units in a step, with the site they were resumed at: a map entry per step, no closure nor string (every step of a run goes through here). */
  readonly #steps = new Map<{ readonly path: string }, string>();
  #next = 0;

  /** The unit at `path` starts a step, resumed after `site`; pending until `leave`. A unit has one step under way at a time. */
  enter(unit: { readonly path: string }, site: string): void {
    this.#steps.set(unit, site);
  }

  leave(unit: { readonly path: string }): void {
    this.#steps.delete(unit);
  }

  /** Runs `work` (e.g. a central function, `what` naming it) counted as pending until it settles. */
  async track<T>(what: string, work: () => Promise<T>): Promise<T> {
    const id = ++this.#next;
    this.#pending.set(id, what);
    try {
      return await work();
    } finally {
      this.#pending.delete(id);
    }
  }

  list(): string[] {
    return [...[...this.#steps].map(([unit, site]) => `${unit.path} after ${site}`), ...this.#pending.values()];
  }
}

/**
 * Resolves `run`'s outcome, or rejects with `SKY_STALLED` if the event loop empties first. The
 * listener is removed when `run` settles.
 */
export async function failIfStalled<T>(run: Promise<T>, pending: PendingSteps): Promise<T> {
  let onEmpty!: () => void;
  const stalled = new Promise<never>((_, reject) => {
    onEmpty = () => reject(stalledError(pending.list()));
  });
  process.on('beforeExit', onEmpty);
  try {
    return await Promise.race([run, stalled]);
  } finally {
    process.off('beforeExit', onEmpty);
  }
}

function stalledError(units: readonly string[]): SkyloomError {
  const which = units.length > 0 ? `waiting on promises that can never settle: ${units.join(', ')}` : 'with no step of a unit pending';
  const message =
    `the run stalled: the event loop emptied while the run was still ${which} ` +
    '(a promise that is never resolved or rejected, e.g. awaiting an event that will not come)';
  return new SkyloomError(ErrorCode.Stalled, message, units.length > 0 ? { unitPath: firstPath(units[0] as string), units: units.map(firstPath) } : {});
}

/** The unit path of a pending entry (`root/a:1 at gather#2` → `root/a:1`). */
function firstPath(entry: string): string {
  return entry.split(' ')[0] as string;
}
