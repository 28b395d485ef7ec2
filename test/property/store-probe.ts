import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BudgetedStore } from '../../lib/memory/budgeted-store.ts';
import { MemoryStore } from '../../lib/memory/memory-store.ts';
import type { RunContext, Runner } from '../../lib/runner.ts';
import type { Store } from '../../lib/store.ts';
import { runLocalGroup } from '../../runners/shared/local-group.ts';

/** A store's accounting as read after the run closed it. */
export interface Accounting {
  readonly bytes: number;
  /** Spill bytes on disk, for stores that spill. */
  readonly diskBytes: number | undefined;
}

export type StoreKind = { readonly kind: 'memory' } | { readonly kind: 'budgeted'; readonly budget: number };

/**
 * A this-thread runner assembled exactly like the inline and laptop runners (the real store classes
 * and `runLocalGroup`), except that it keeps its store so the test can read the accounting after
 * `close()`: runners do not expose their stores, and the laptop runner emits no closing `memory` event.
 */
export function probedRunner(kind: StoreKind, onClosed: (accounting: Accounting) => void): Runner {
  return {
    name: `probed ${kind.kind}`,
    async execute(run: RunContext): Promise<unknown> {
      const store: Store & { diskBytes?: number } =
        kind.kind === 'memory'
          ? new MemoryStore({ verify: run.verify })
          : await BudgetedStore.open({ budget: kind.budget, directory: join(run.runDir, 'spill'), verify: run.verify, emit: run.emit });
      const env = { seed: run.seed, store, emit: run.emit, stats: run.stats, concurrent: false };
      try {
        const [output] = await runLocalGroup(env, [{ algorithm: run.algorithm, input: run.input, path: 'root', index: 0, size: 1 }], 'root', run.signal);
        return output;
      } finally {
        await store.close();
        if (kind.kind === 'budgeted') await rm(join(run.runDir, 'spill'), { recursive: true, force: true }); // as the laptop runner does
        onClosed({ bytes: store.bytes, diskBytes: store.diskBytes });
      }
    },
  };
}
