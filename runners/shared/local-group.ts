import type { Reply } from '../../lib/activator.ts';
import { centralSite } from '../../lib/central-site.ts';
import { deepFreeze } from '../../lib/freeze.ts';
import type { GroupJournal, RefAccess } from '../../lib/journal.ts';
import type { Ref } from '../../lib/ref.ts';
import type { Store } from '../../lib/store.ts';
import { Unit, type UnitEnv, type UnitSpec } from '../../lib/unit.ts';
import type { Central, FailurePolicy } from '../../lib/primitive.ts';
import { cutoffOptions } from './gather-cutoff.ts';
import type { GroupDriver, MemberArrival } from './group-driver.ts';
import { uncloneable } from './not-cloneable.ts';
import type { GroupLayer } from './group-layer.ts';
import { journalLayer } from './journal-layer.ts';
import { runGroup } from './run-group.ts';
import type { PendingSteps } from './stall-watch.ts';

export interface LocalEnv extends UnitEnv {
  /** Step a group's members at once instead of one at a time (still one thread). */
  readonly concurrent: boolean;
  /** Wraps each member's step, e.g. with fast-check's scheduler to randomise completion order. */
  readonly interleave?: <T>(step: Promise<T>) => Promise<T>;
  /** The run's ledger, if it keeps one. */
  readonly journal?: GroupJournal;
  /** Wraps every group's driver, nested ones included; the property suite injects bugs through it. */
  readonly wrap?: (driver: GroupDriver) => GroupDriver;
  /** The run's steps and central calls under way, for a clear `SKY_STALLED` (`stall-watch.ts`). */
  readonly pending?: PendingSteps;
  /** A replay's recorded memberships of a group (by group path), as a layer deciding them instead of its quorums and deadlines. */
  readonly imposed?: (group: string, paths: readonly string[]) => GroupLayer | undefined;
}

/**
 * Runs a group whose members all live in this thread, carrying out nested scatters depth-first.
 * Shared by the inline and laptop runners; they differ only in their store.
 */
export async function runLocalGroup(env: LocalEnv, specs: readonly UnitSpec[], group: string, signal: AbortSignal, onFailure?: FailurePolicy): Promise<unknown[]> {
  const local = new LocalGroupDriver(env, specs, signal);
  const driver = env.wrap ? env.wrap(local) : local;
  const layer = env.journal ? await journalLayer({ journal: env.journal, refs: storeAccess(env.store) }, group, specs) : env.imposed?.(group, local.paths);
  return runGroup(driver, { group, concurrent: env.concurrent, signal, emit: env.emit, stats: env.stats, ...(onFailure ? { onFailure } : {}), ...(layer ? { layer } : {}) });
}

/**
 * The journal reads and writes this thread's store as a borrower of its own, one per call (reads and
 * writes may overlap), released as soon as the call is done so the store may spill or free the value.
 */
export function storeAccess(store: Store): RefAccess {
  let calls = 0;
  const borrowing = async <T>(use: (borrower: { path: string }) => T | Promise<T>): Promise<T> => {
    const borrower = { path: `ledger#${++calls}` };
    try {
      return await use(borrower);
    } finally {
      store.endStep(borrower);
    }
  };
  return {
    read: (ref, use) => borrowing(async (b) => use(await store.get(ref, b))),
    write: (value: unknown) => borrowing((b) => store.put(value, b)),
  };
}

class LocalGroupDriver implements GroupDriver {
  readonly paths: readonly string[];
  readonly #env: LocalEnv;
  readonly #specs: readonly UnitSpec[];
  readonly #units: (Unit | undefined)[];
  readonly #signal: AbortSignal;
  readonly #centrals: (Central | undefined)[];

  constructor(env: LocalEnv, specs: readonly UnitSpec[], signal: AbortSignal) {
    this.#env = env;
    this.#specs = specs;
    this.#signal = signal;
    this.paths = specs.map((s) => s.path);
    this.#units = specs.map(() => undefined);
    this.#centrals = specs.map(() => undefined);
  }

  toCollective(i: number, reply: Reply): Promise<MemberArrival> {
    const step = this.#toCollective(i, reply);
    return this.#env.interleave ? this.#env.interleave(step) : step;
  }

  async #toCollective(i: number, reply: Reply): Promise<MemberArrival> {
    const unit = (this.#units[i] ??= new Unit(this.#specs[i] as UnitSpec, this.#env));
    let next = reply;
    for (;;) {
      const { pending } = this.#env;
      pending?.enter(unit, unit.site);
      const pause = await unit.advance(next); // never rejects
      pending?.leave(unit);
      // Cancelled while it ran its step (concurrent mode): what it reached no longer counts.
      if (this.#units[i] !== unit) return { kind: 'cancelled' };
      if (pause.kind === 'returned' || pause.kind === 'failed') {
        this.#units[i] = undefined;
        const bad = pause.kind === 'returned' ? uncloneable(pause.value, 'output', unit.path, pause.site) : undefined;
        return bad ? { kind: 'failed', error: bad, site: pause.site, bytesPut: unit.bytesPut } : { ...pause, bytesPut: unit.bytesPut };
      }
      // As on a cluster host: what cannot cross a thread is thrown into the unit at the primitive.
      const bad = pause.kind === 'gather' ? uncloneable(pause.op.value, 'gathered value', unit.path, pause.site) : uncloneable(pause.op.inputs, 'scatter inputs', unit.path, pause.site);
      if (bad) {
        next = { ok: false, error: bad };
        continue;
      }
      if (pause.kind === 'gather') {
        const { value, central, perMember, quorum, deadlineMs } = pause.op;
        this.#centrals[i] = central;
        const arrival = { kind: 'gather' as const, value: deepFreeze(value), centralSite: centralSite(central), perMember, site: pause.site };
        return quorum === undefined && deadlineMs === undefined ? arrival : { ...arrival, ...cutoffOptions(quorum, deadlineMs) };
      }
      next = await runLocalGroup(this.#env, pause.children, pause.group, this.#signal, pause.op.onFailure).then(
        (outputs): Reply => ({ ok: true, value: deepFreeze(outputs) }),
        (error: unknown): Reply => ({ ok: false, error }),
      );
    }
  }

  async central(values: unknown[], members: readonly number[]): Promise<Reply> {
    try {
      const fn = this.#centrals[members[0] as number] as Central;
      const call = async (): Promise<unknown> => fn(deepFreeze(values), deepFreeze([...members]));
      const owner = `${this.paths[members[0] as number]} central function`;
      const result = deepFreeze(await (this.#env.pending ? this.#env.pending.track(owner, call) : call()));
      const bad = uncloneable(result, 'central result', this.paths[members[0] as number] ?? (this.paths[0] as string), 'central');
      if (bad) throw bad;
      return { ok: true, value: result };
    } catch (error) {
      return { ok: false, error };
    }
  }

  async cancel(i: number): Promise<void> {
    const unit = this.#units[i];
    this.#units[i] = undefined;
    await unit?.cancel();
  }
}
