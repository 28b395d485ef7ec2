/**
 * Cluster mode: coroutines run on long-lived worker threads (hosts), one per core by default. The
 * coordinator (this thread) only places units and completes collectives: a scatter's children are
 * placed on the host with the least outstanding work and stay there, so their data never moves; the
 * central function runs on member 0's host; outputs and small summaries travel, big data stays.
 *
 * The run's ledger, if any, is kept by this (coordinating) thread: the group loop records through it,
 * reading outputs from their hosts. Hosts run skyloom from its sources or from compiled `dist/`,
 * whichever the coordinator runs (see `worker.mjs`).
 * Every thread is terminated before `execute` settles, on success or failure.
 */
import { formatBytes } from '../../lib/byte-size.ts';
import { findUncloneable } from '../../lib/clone-check.ts';
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import type { RunContext, Runner } from '../../lib/runner.ts';
import type { HostLauncher } from './host-launcher.ts';
import { ThreadLauncher, type ThreadLauncherOptions } from './thread-launcher.ts';
import { clusterSettings, type ClusterRunnerOptions } from './options.ts';
import { runOnHosts } from './run-on-hosts.ts';

export function clusterRunner(options: ClusterRunnerOptions = {}): Runner {
  return clusterRunnerWith(options, {});
}

/** Test seams of `clusterRunner`; not part of the public API. */
export interface ClusterTestHooks {
  /** Starts each run's hosts instead of a fresh `ThreadLauncher` (the property suite reuses threads across its many small runs). */
  readonly launcher?: (threads: ThreadLauncherOptions) => HostLauncher;
}

/** `clusterRunner` with test seams; for tests only. */
export function clusterRunnerWith(options: ClusterRunnerOptions, hooks: ClusterTestHooks): Runner {
  const settings = clusterSettings(options);
  return {
    name: 'cluster',
    async execute(run: RunContext): Promise<unknown> {
      const bad = findUncloneable(run.input, 'input');
      if (bad) throw new SkyloomError(ErrorCode.NotCloneable, `${bad.path} is ${bad.what}, which cannot cross a worker thread`, { unitPath: 'root', site: 'start' });
      if (settings.memoryBudget !== undefined && settings.hostBudget !== undefined) {
        const message = `memory budget ${formatBytes(settings.memoryBudget)} split across ${settings.workers} workers: ${formatBytes(settings.hostBudget)} each`;
        run.emit({ type: 'log', path: 'root', message });
      }
      const threads: ThreadLauncherOptions = { workers: settings.workers, preload: [run.algorithm.moduleUrl], ...(settings.resourceLimits ? { resourceLimits: settings.resourceLimits } : {}) };
      const launcher = hooks.launcher?.(threads) ?? new ThreadLauncher(threads);
      const { hostBudget, retries, stepTimeoutMs, hostMemoryLimit } = settings;
      const admission = { maxInFlight: settings.maxInFlight, budget: settings.memoryBudget, hosts: settings.workers };
      return runOnHosts(run, launcher, { memoryBudget: hostBudget, retries, stepTimeoutMs, hostMemoryLimit, admission, spillDirName: 'cluster-spill' });
    },
  };
}
