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
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findUncloneable } from '../../lib/clone-check.ts';
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import type { RunContext, Runner } from '../../lib/runner.ts';
import { runClusterGroup } from './cluster-group.ts';
import { HostPool } from './host-pool.ts';
import { ThreadLauncher } from './thread-launcher.ts';
import { clusterSettings, type ClusterRunnerOptions } from './options.ts';
import type { WireSpec } from './protocol.ts';

export function clusterRunner(options: ClusterRunnerOptions = {}): Runner {
  const settings = clusterSettings(options);
  return {
    name: 'cluster',
    async execute(run: RunContext): Promise<unknown> {
      const bad = findUncloneable(run.input, 'input');
      if (bad) throw new SkyloomError(ErrorCode.NotCloneable, `${bad.path} is ${bad.what}, which cannot cross a worker thread`, { unitPath: 'root', site: 'start' });
      const spillRoot = join(run.runDir, 'cluster-spill');
      const pool = new HostPool({
        launcher: new ThreadLauncher({ workers: settings.workers, preload: [run.algorithm.moduleUrl], ...(settings.resourceLimits ? { resourceLimits: settings.resourceLimits } : {}) }),
        host: { seed: run.seed, verify: run.verify, preload: [run.algorithm.moduleUrl], ...(settings.memoryBudget === undefined ? {} : { memoryBudget: settings.memoryBudget }) },
        spillRoot,
        sink: { emit: run.emit, stats: run.stats },
      });
      const root: WireSpec = { moduleUrl: run.algorithm.moduleUrl, name: run.algorithm.name, input: run.input, path: 'root', index: 0, size: 1 };
      try {
        const journal = run.journal ? { journal: { journal: run.journal, refs: pool.refs } } : {};
        const [output] = await runClusterGroup({ pool, emit: run.emit, stats: run.stats, retries: settings.retries, ...journal }, [root], 'root', run.signal);
        return output;
      } finally {
        await run.journal?.settle(); // the ledger may still be reading outputs from the hosts
        await pool.close();
        run.stats.peakStoreBytes = Math.max(run.stats.peakStoreBytes, pool.peakBytes);
        if (settings.memoryBudget !== undefined) await rm(spillRoot, { recursive: true, force: true });
      }
    },
  };
}
