/**
 * The options of `slurmRunner`, their defaults, and their validation at the public boundary (bad
 * options throw `SkyloomTypeError` with "expected X, got Y" when the runner is made).
 */
import { networkInterfaces } from 'node:os';
import { parseByteSize } from '../../lib/byte-size.ts';
import { describeValue } from '../../lib/describe-value.ts';
import { SkyloomTypeError } from '../../lib/errors.ts';

export interface SlurmRunnerOptions {
  /** Slurm tasks, one skyloom host process each (srun --ntasks). Default: SLURM_NTASKS inside an allocation, else 2. */
  readonly tasks?: number;
  /** Nodes to spread the tasks over (srun --nodes). Default: Slurm's choice. */
  readonly nodes?: number;
  /** Partition to ask for (srun --partition). Default: Slurm's default partition. */
  readonly partition?: string;
  /** The whole run's memory budget (a byte count or `"512MB"`), split evenly across the tasks; each host spills to disk beyond its share. Default: unbounded. */
  readonly memoryBudget?: number | string;
  /** More srun arguments, e.g. `['--time=10', '--mem-per-cpu=4G']`. */
  readonly srunArgs?: readonly string[];
  /** Times a group that failed because a host was lost is run again on the tasks left. Default 1. */
  readonly retries?: number;
  /**
   * Address the coordinator listens on for its hosts. Default: this node's first non-internal IPv4
   * address (the interface Slurm's nodes reach it on), or 127.0.0.1 if it has none.
   */
  readonly listen?: string;
  /**
   * A host that sends nothing for this long is lost (ms). A host runs its units on its main thread, so
   * this must exceed the longest synchronous stretch of one step. Default 60 000.
   */
  readonly heartbeatTimeout?: number;
  /** How long the tasks may take to connect, allocation wait included (ms). Default 600 000. */
  readonly startTimeout?: number;
  /** The srun program. Default `srun` (found on PATH). */
  readonly srun?: string;
}

export interface SlurmSettings {
  readonly tasks: number;
  readonly nodes: number | undefined;
  readonly partition: string | undefined;
  /** Each host's share of the run's budget. */
  readonly memoryBudget: number | undefined;
  readonly srunArgs: readonly string[];
  readonly retries: number;
  readonly listen: string;
  readonly heartbeatTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly srun: string;
}

export function slurmSettings(options: SlurmRunnerOptions): SlurmSettings {
  if (typeof options !== 'object' || options === null) throw new SkyloomTypeError('slurmRunner(options)', 'an options object', describeValue(options));
  const fromAllocation = Number(process.env.SLURM_NTASKS);
  const { tasks = Number.isSafeInteger(fromAllocation) && fromAllocation > 0 ? fromAllocation : 2, nodes, partition, memoryBudget, srunArgs = [], retries = 1 } = options;
  const { listen = defaultListenAddress(), heartbeatTimeout = 60_000, startTimeout = 600_000, srun = 'srun' } = options;
  const positive = (value: unknown, what: string): void => {
    if (!Number.isSafeInteger(value) || (value as number) < 1) throw new SkyloomTypeError(`slurmRunner ${what}`, 'a positive integer', describeValue(value));
  };
  positive(tasks, 'tasks');
  if (nodes !== undefined) positive(nodes, 'nodes');
  positive(heartbeatTimeout, 'heartbeatTimeout');
  positive(startTimeout, 'startTimeout');
  if (!Number.isSafeInteger(retries) || retries < 0) throw new SkyloomTypeError('slurmRunner retries', 'a non-negative integer', describeValue(retries));
  for (const [what, value] of [['partition', partition], ['listen', listen], ['srun', srun]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new SkyloomTypeError(`slurmRunner ${what}`, 'a non-empty string', describeValue(value));
  }
  if (!Array.isArray(srunArgs) || !srunArgs.every((a) => typeof a === 'string')) throw new SkyloomTypeError('slurmRunner srunArgs', 'an array of strings', describeValue(srunArgs));
  const budget = memoryBudget === undefined ? undefined : parseByteSize(memoryBudget, 'slurmRunner memoryBudget');
  return { tasks, nodes, partition, memoryBudget: budget === undefined ? undefined : Math.floor(budget / tasks), srunArgs, retries, listen, heartbeatTimeoutMs: heartbeatTimeout, startTimeoutMs: startTimeout, srun };
}

function defaultListenAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
