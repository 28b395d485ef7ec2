/**
 * The options of `clusterRunner`, their defaults, and their validation at the public boundary (bad
 * options throw `SkyloomTypeError` with "expected X, got Y" when the runner is made, not at run time).
 */
import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { parseByteSize } from '../../lib/byte-size.ts';
import { describeValue } from '../../lib/describe-value.ts';
import { SkyloomTypeError } from '../../lib/errors.ts';

export interface ClusterRunnerOptions {
  /** Worker threads (hosts). Default: the number of available cores. */
  readonly workers?: number;
  /** Most resident store bytes per host (a byte count or `"512MB"`); spills to disk beyond it. Default: unbounded. */
  readonly memoryBudget?: number | string;
  /** Times a group that failed because a worker host was lost is run again on fresh placements. Default 0. */
  readonly retries?: number;
  /** V8 heap limits of each worker thread (passed to piscina); a thread that exceeds them is lost. */
  readonly resourceLimits?: ResourceLimits;
}

export interface ClusterSettings {
  readonly workers: number;
  readonly memoryBudget: number | undefined;
  readonly retries: number;
  readonly resourceLimits: ResourceLimits | undefined;
}

export function clusterSettings(options: ClusterRunnerOptions): ClusterSettings {
  if (typeof options !== 'object' || options === null) throw new SkyloomTypeError('clusterRunner(options)', 'an options object', describeValue(options));
  const { workers = availableParallelism(), retries = 0, memoryBudget, resourceLimits } = options;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new SkyloomTypeError('clusterRunner workers', 'a positive integer', describeValue(workers));
  if (!Number.isSafeInteger(retries) || retries < 0) throw new SkyloomTypeError('clusterRunner retries', 'a non-negative integer', describeValue(retries));
  if (resourceLimits !== undefined && (typeof resourceLimits !== 'object' || resourceLimits === null)) {
    throw new SkyloomTypeError('clusterRunner resourceLimits', 'worker_threads ResourceLimits', describeValue(resourceLimits));
  }
  const budget = memoryBudget === undefined ? undefined : parseByteSize(memoryBudget, 'clusterRunner memoryBudget');
  return { workers, retries, memoryBudget: budget, resourceLimits };
}
