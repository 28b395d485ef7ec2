/**
 * What `--memory` means for each runner, and what the command prints about it. `--memory` is the
 * whole run's budget: the laptop runner keeps it, the cluster runner splits it evenly across its
 * workers (the split is done by `clusterRunner`; this file only prints it). Without `--memory`, laptop
 * mode takes a quarter of physical memory and cluster mode runs unbudgeted; the inline runner has no
 * budget at all. Does not check the budget against the runner's minimum (see `options.ts`).
 */
import { totalmem } from 'node:os';
import type { RunnerName } from './options.ts';
import { formatBytes } from './format.ts';

/** The share of physical memory laptop mode takes when `--memory` is not given. */
export const defaultLaptopMemoryFraction = 0.25;

export interface MemoryPlan {
  /** The whole run's budget in bytes; undefined when the run is unbudgeted. */
  readonly budgetBytes: number | undefined;
  /** Each cluster worker's share; undefined unless a cluster run is budgeted. */
  readonly perWorkerBytes: number | undefined;
  readonly workers: number;
  /** Where the budget came from: `--memory`, the laptop default, or nowhere. */
  readonly source: 'flag' | 'default' | 'none';
}

/** The budget a run gets from `--memory` (bytes, or undefined when not given). */
export function memoryPlan(runner: RunnerName, memory: number | undefined, workers: number, physicalBytes = totalmem()): MemoryPlan {
  if (runner === 'inline') return { budgetBytes: undefined, perWorkerBytes: undefined, workers, source: 'none' };
  if (runner === 'laptop') {
    if (memory !== undefined) return { budgetBytes: memory, perWorkerBytes: undefined, workers, source: 'flag' };
    return { budgetBytes: defaultLaptopMemory(physicalBytes), perWorkerBytes: undefined, workers, source: 'default' };
  }
  if (memory === undefined) return { budgetBytes: undefined, perWorkerBytes: undefined, workers, source: 'none' };
  return { budgetBytes: memory, perWorkerBytes: Math.floor(memory / workers), workers, source: 'flag' };
}

/** Laptop mode's budget without `--memory`: a quarter of `physicalBytes`, in whole bytes. */
export function defaultLaptopMemory(physicalBytes = totalmem()): number {
  return Math.floor(physicalBytes * defaultLaptopMemoryFraction);
}

/** `64.0 MB`, `256.0 MB (128.0 MB per worker × 2)`, `6.4 GB (default: 25% of physical memory)`, `unbudgeted`. */
export function describeMemory(plan: MemoryPlan): string {
  if (plan.budgetBytes === undefined) return 'unbudgeted';
  const whole = formatBytes(plan.budgetBytes);
  if (plan.perWorkerBytes !== undefined) return `${whole} (${formatBytes(plan.perWorkerBytes)} per worker × ${plan.workers})`;
  if (plan.source === 'default') return `${whole} (default: ${defaultLaptopMemoryFraction * 100}% of physical memory)`;
  return whole;
}
