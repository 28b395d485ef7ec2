import type { RunContext } from '../../lib/runner.ts';
import type { Store } from '../../lib/store.ts';
import type { GroupDriver } from './group-driver.ts';
import { runLocalGroup, type LocalEnv } from './local-group.ts';
import { failIfStalled, PendingSteps } from './stall-watch.ts';

export interface LocalRootOptions {
  readonly concurrent: boolean;
  readonly interleave?: <T>(step: Promise<T>) => Promise<T>;
  readonly wrap?: (driver: GroupDriver) => GroupDriver;
}

/**
 * Runs a whole run's root in this thread with `store`: the part the inline and laptop runners share.
 * Resolves with the root's output; before it settles, the run's journal has finished reading from the
 * store, so the caller may close the store. A run whose event loop empties while it waits fails with
 * `SKY_STALLED` (`stall-watch.ts`). Does not open or close the store.
 */
export async function runLocalRoot(run: RunContext, store: Store, options: LocalRootOptions): Promise<unknown> {
  const pending = new PendingSteps();
  const env: LocalEnv = {
    pending,
    seed: run.seed,
    store,
    emit: run.emit,
    stats: run.stats,
    concurrent: options.concurrent,
    ...(options.interleave ? { interleave: options.interleave } : {}),
    ...(options.wrap ? { wrap: options.wrap } : {}),
    ...(run.journal ? { journal: run.journal } : {}),
  };
  try {
    const root = { algorithm: run.algorithm, input: run.input, path: 'root', index: 0, size: 1 };
    const [output] = await failIfStalled(runLocalGroup(env, [root], 'root', run.signal), pending);
    return output;
  } finally {
    await run.journal?.settle(); // the ledger may still be reading outputs from the store
    run.stats.peakStoreBytes = Math.max(run.stats.peakStoreBytes, store.peakBytes);
  }
}
