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
import { findUncloneable } from '../../lib/clone-check.ts';
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import type { RunContext, Runner } from '../../lib/runner.ts';
import { runOnHosts } from '../cluster/run-on-hosts.ts';
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
      return runOnHosts(run, launcher, { ...settings, spillDirName: 'slurm-spill' });
    },
  };
}
