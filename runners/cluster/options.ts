/**
 * The options of `clusterRunner`, their defaults, and their validation at the public boundary (bad
 * options throw `SkyloomTypeError` with "expected X, got Y" when the runner is made, not at run time).
 */
import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { parseByteSize } from '../../lib/byte-size.ts';
import { describeValue } from '../../lib/describe-value.ts';
import { ErrorCode, SkyloomTypeError } from '../../lib/errors.ts';

/** Smallest share of the budget a host may get (as the laptop runner's minimum budget). */
const minimumHostBudget = 64 * 1024;

export interface ClusterRunnerOptions {
  /** Worker threads (hosts). Default: the number of available cores. */
  readonly workers?: number;
  /**
   * The whole run's memory budget (a byte count or `"512MB"`), split evenly across the hosts: each
   * keeps its store, its units' scratch arrays and leases within its share and spills to disk beyond
   * it. Default: unbounded.
   */
  readonly memoryBudget?: number | string;
  /** Times a group that failed because a worker host was lost is run again on fresh placements. Default 0. */
  readonly retries?: number;
  /** V8 heap limits of each worker thread (passed to piscina); a thread that exceeds them is lost. */
  readonly resourceLimits?: ResourceLimits;
  /**
   * The longest one step of a unit (its code between two pauses) or one central function may run, in
   * milliseconds: over it, the unit fails with `SKY_STEP_TIMEOUT` and its worker thread is terminated
   * and replaced (its other units fail with `SKY_HOST_LOST`, and are retried under `retries`). A
   * scatter's `stepTimeoutMs` overrides it for the groups under it. Default: 30 minutes, so a member
   * that never yields or never settles ends the run instead of hanging it; `Infinity`: no limit.
   */
  readonly stepTimeoutMs?: number;
  /**
   * Most buffer memory (ArrayBuffers: typed arrays) one host thread may hold, a byte count or `"1GB"`:
   * a host over it is terminated and replaced, its running unit fails with `SKY_MEMORY_BUDGET` (see
   * `memory-guard.ts`), and the process lives on. Default: with `memoryBudget`, twice a host's share
   * plus 64 MiB (the share bounds the store; user code's own arrays come on top); without, none (the
   * process as a whole is still kept under 80% of the machine's memory).
   */
  readonly hostMemoryLimit?: number | string;
  /**
   * Most of the run's top-level members (the children of the root's scatter: visits) in flight at once;
   * the others start, in member order, as those end (or wait at a gather of their own group). With a
   * `memoryBudget`, fewer may be let in: only while the budget has room for one more, judged from what
   * the visits so far held (see `admission.ts`). Default: no fixed limit.
   */
  readonly maxInFlight?: number;
}

export interface ClusterSettings {
  readonly workers: number;
  /** The whole run's budget, and each host's share of it. */
  readonly memoryBudget: number | undefined;
  readonly hostBudget: number | undefined;
  readonly retries: number;
  readonly resourceLimits: ResourceLimits | undefined;
  readonly stepTimeoutMs: number | undefined;
  readonly hostMemoryLimit: number | undefined;
  readonly maxInFlight: number | undefined;
}

/** The step timeout when none is given: long for any step of the shipped algorithms (seconds), short of forever. */
export const defaultStepTimeoutMs = 30 * 60_000;

export function clusterSettings(options: ClusterRunnerOptions): ClusterSettings {
  if (typeof options !== 'object' || options === null) throw new SkyloomTypeError('clusterRunner(options)', 'an options object', describeValue(options));
  const { workers = availableParallelism(), retries = 0, memoryBudget, resourceLimits, stepTimeoutMs: timeout = defaultStepTimeoutMs } = options;
  if (!(typeof timeout === 'number' && timeout > 0 && !Number.isNaN(timeout))) {
    throw new SkyloomTypeError('clusterRunner stepTimeoutMs', 'a positive number of milliseconds (Infinity: no limit)', describeValue(timeout));
  }
  const stepTimeoutMs = Number.isFinite(timeout) ? timeout : undefined;
  if (!Number.isSafeInteger(workers) || workers < 1) throw new SkyloomTypeError('clusterRunner workers', 'a positive integer', describeValue(workers));
  if (!Number.isSafeInteger(retries) || retries < 0) throw new SkyloomTypeError('clusterRunner retries', 'a non-negative integer', describeValue(retries));
  const { maxInFlight } = options;
  if (maxInFlight !== undefined && !(Number.isSafeInteger(maxInFlight) && maxInFlight >= 1)) throw new SkyloomTypeError('clusterRunner maxInFlight', 'a positive integer', describeValue(maxInFlight));
  if (resourceLimits !== undefined && (typeof resourceLimits !== 'object' || resourceLimits === null)) {
    throw new SkyloomTypeError('clusterRunner resourceLimits', 'worker_threads ResourceLimits', describeValue(resourceLimits));
  }
  const budget = memoryBudget === undefined ? undefined : parseByteSize(memoryBudget, 'clusterRunner memoryBudget');
  const hostBudget = budget === undefined ? undefined : Math.floor(budget / workers);
  if (hostBudget !== undefined && hostBudget < minimumHostBudget) {
    throw new SkyloomTypeError('clusterRunner memoryBudget', `at least ${minimumHostBudget} bytes per worker (${workers} workers)`, `${budget} bytes`, { code: ErrorCode.MemoryBudget });
  }
  const limit = options.hostMemoryLimit === undefined ? undefined : parseByteSize(options.hostMemoryLimit, 'clusterRunner hostMemoryLimit');
  if (limit !== undefined && hostBudget !== undefined && limit < hostBudget) {
    throw new SkyloomTypeError('clusterRunner hostMemoryLimit', `at least a host's share of the memory budget (${hostBudget} bytes)`, `${limit} bytes`, { code: ErrorCode.MemoryBudget });
  }
  const hostMemoryLimit = limit ?? (hostBudget === undefined ? undefined : 2 * hostBudget + 64 * 2 ** 20);
  return { workers, retries, memoryBudget: budget, hostBudget, resourceLimits, stepTimeoutMs, hostMemoryLimit, maxInFlight };
}
