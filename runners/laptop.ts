import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BudgetedStore } from '../lib/memory/budgeted-store.ts';
import { formatBytes, parseByteSize } from '../lib/byte-size.ts';
import { describeValue } from '../lib/describe-value.ts';
import { ErrorCode, SkyloomTypeError } from '../lib/errors.ts';
import type { MemoryPolicyOptions } from '../lib/memory/memory-policy-options.ts';
import type { RunContext, Runner } from '../lib/runner.ts';
import { ProcessGrowth } from '../lib/memory/process-growth.ts';
import { runLocalRoot } from './shared/run-local-root.ts';

export interface LaptopRunnerOptions {
  /** Most resident store bytes: a byte count or a size such as `"512MB"` (10^6) or `"2GiB"` (2^30). */
  readonly memoryBudget: number | string;
  /** Where spill files go. Default: `spill` inside the run's directory. */
  readonly spillDir?: string;
  /** Leave the spill directory and its files after the run. Default false. */
  readonly keepSpill?: boolean;
  /**
   * What the budget covers. `'store'` (default): the store's values, spare buffers, scratch arrays
   * and taken values. `'process'`: also what the process grows by outside the store during the run
   * (V8's heap, native libraries, temporaries made without `scratch`), so its resident memory stays
   * near what it was at the start plus the budget: the store keeps that much less resident, as far as
   * running steps allow (a soft bound: it never fails a step the budget alone would admit). For a
   * process that runs nothing else meanwhile, as the `skyloom` command (which sets it).
   */
  readonly budgetCovers?: 'store' | 'process';
}

/** Seams for tests and benchmarks, not part of the public API (`runners/index.ts` does not export them). */
export interface LaptopTestHooks {
  /** Tuning of the memory policy (headroom, writes in flight, prefetch lookahead). */
  readonly policy?: Omit<MemoryPolicyOptions, 'budget'>;
  /** Called with the run's store just before it is closed (benchmarks read its I/O figures). Must not throw. */
  readonly beforeClose?: (store: BudgetedStore) => void;
}

/** Smallest budget accepted: below it not even the run's bookkeeping values fit. */
export const minimumMemoryBudget = 64 * 1024;

/**
 * Laptop mode: one thread, depth-first, a group's members run one at a time to their next pause (as
 * inline), with a `BudgetedStore` that keeps resident store bytes under `memoryBudget` by spilling to
 * disk. The spill directory is created at start and removed at the end, on success or failure, unless
 * `keepSpill`. Bad options throw `SkyloomTypeError` at once; an unusable directory rejects the run with
 * `SKY_SPILL_DIR`.
 */
export function laptopRunner(options: LaptopRunnerOptions): Runner {
  return laptopRunnerWith(options, {});
}

/** `laptopRunner` with test seams; for tests and benchmarks only. */
export function laptopRunnerWith(options: LaptopRunnerOptions, hooks: LaptopTestHooks): Runner {
  const budget = validate(options);
  const keepSpill = options.keepSpill ?? false;
  return {
    name: 'laptop',
    async execute(run: RunContext): Promise<unknown> {
      const directory = options.spillDir ?? join(run.runDir, 'spill');
      const store = await BudgetedStore.open({
        budget,
        directory,
        verify: run.verify,
        emit: run.emit,
        keepFiles: keepSpill,
        ...(options.budgetCovers === 'process' ? { processGrowth: processGrowthFromNow() } : {}),
        ...(hooks.policy ? { policy: hooks.policy } : {}),
      });
      try {
        return await runLocalRoot(run, store, { concurrent: false });
      } finally {
        hooks.beforeClose?.(store);
        await store.close();
        if (!keepSpill) await rm(directory, { recursive: true, force: true });
      }
    },
  };
}

function validate(options: LaptopRunnerOptions): number {
  if (typeof options !== 'object' || options === null) {
    throw new SkyloomTypeError('laptopRunner(options)', 'an object with a memoryBudget', describeValue(options));
  }
  const budget = parseByteSize(options.memoryBudget, 'laptopRunner memoryBudget');
  if (budget < minimumMemoryBudget) {
    throw new SkyloomTypeError('laptopRunner memoryBudget', `at least ${formatBytes(minimumMemoryBudget)} to start`, `${budget} bytes`, {
      code: ErrorCode.MemoryBudget,
    });
  }
  if (options.spillDir !== undefined && (typeof options.spillDir !== 'string' || options.spillDir === '')) {
    throw new SkyloomTypeError('laptopRunner spillDir', 'a directory path', describeValue(options.spillDir));
  }
  if (options.budgetCovers !== undefined && options.budgetCovers !== 'store' && options.budgetCovers !== 'process') {
    throw new SkyloomTypeError('laptopRunner budgetCovers', "'store' or 'process'", describeValue(options.budgetCovers));
  }
  if (options.keepSpill !== undefined && typeof options.keepSpill !== 'boolean') {
    throw new SkyloomTypeError('laptopRunner keepSpill', 'a boolean', describeValue(options.keepSpill));
  }
  return budget;
}

/** How much the process's RSS has grown since now (the run's start), for the store's policy. */
function processGrowthFromNow(): () => number {
  const growth = new ProcessGrowth();
  return () => growth.bytes();
}
