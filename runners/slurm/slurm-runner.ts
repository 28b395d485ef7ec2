/**
 * Slurm mode: the hosts of cluster mode as processes of one Slurm job step, one per task, possibly on
 * many nodes. The coordinator (this process) is cluster mode's, unchanged: the same pool, placement,
 * group loop, retries and ledger; only the transport differs (TCP instead of MessagePorts, see
 * `slurm-launcher.ts`). Hosts load the algorithm's module by its file URL, so the code must sit on a
 * filesystem every node sees at the same path, as does the run directory (spill files go under it).
 *
 * A host process that dies fails only the units it held; their group is run again on the tasks left
 * (`retries`). Every host process has ended (or been signalled) before `execute` settles.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findUncloneable } from '../../lib/clone-check.ts';
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import type { RunContext, Runner } from '../../lib/runner.ts';
import { runClusterGroup } from '../cluster/cluster-group.ts';
import { HostPool } from '../cluster/host-pool.ts';
import type { WireSpec } from '../cluster/protocol.ts';
import { slurmSettings, type SlurmRunnerOptions } from './options.ts';
import { SlurmLauncher } from './slurm-launcher.ts';

/** Heartbeats go out this many times per timeout. */
const beatsPerTimeout = 6;

export function slurmRunner(options: SlurmRunnerOptions = {}): Runner {
  const settings = slurmSettings(options);
  return {
    name: 'slurm',
    async execute(run: RunContext): Promise<unknown> {
      const bad = findUncloneable(run.input, 'input');
      if (bad) throw new SkyloomError(ErrorCode.NotCloneable, `${bad.path} is ${bad.what}, which cannot cross to a host process`, { unitPath: 'root', site: 'start' });
      const launcher = await SlurmLauncher.start({
        ...settings,
        heartbeatMs: Math.max(50, Math.floor(settings.heartbeatTimeoutMs / beatsPerTimeout)),
        emit: run.emit,
      });
      const spillRoot = join(run.runDir, 'slurm-spill');
      const pool = new HostPool({
        launcher,
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
