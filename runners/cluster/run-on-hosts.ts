/**
 * A whole run's root on hosts started by a launcher: what the cluster and Slurm runners share. Opens
 * the pool, runs the root group (retrying it after a host loss), lets the ledger finish reading from
 * the hosts, closes the pool (every host ended) and removes the spill directory of a budgeted run.
 *
 * It does not validate the run's input or start anything itself (the launcher does).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { probeDirectory } from '../../lib/memory/probe-directory.ts';
import { nodeSpillIo } from '../../lib/memory/spill-file.ts';
import type { RunEventBody } from '../../lib/events.ts';
import type { RunContext } from '../../lib/runner.ts';
import { Admission, type AdmissionSettings } from './admission.ts';
import { runClusterGroup } from './cluster-group.ts';
import type { HostLauncher } from './host-launcher.ts';
import { HostPool } from './host-pool.ts';
import type { WireSpec } from './protocol.ts';

export interface HostRunSettings {
  /** Each host's share of the run's memory budget (undefined: unbudgeted). */
  readonly memoryBudget: number | undefined;
  readonly retries: number;
  /** Most buffer bytes one host may hold (see `ClusterRunnerOptions.hostMemoryLimit`); undefined: none. */
  readonly hostMemoryLimit?: number | undefined;
  /** The run's step timeout in ms (see `ClusterRunnerOptions.stepTimeoutMs`); undefined: none. */
  readonly stepTimeoutMs?: number | undefined;
  /** How many top-level members may be in flight at once (`admission.ts`); undefined: all of them. */
  readonly admission?: AdmissionSettings;
  /** Name of the spill directory under the run directory. */
  readonly spillDirName: string;
}

export async function runOnHosts(run: RunContext, launcher: HostLauncher, settings: HostRunSettings): Promise<unknown> {
  const spillRoot = join(run.runDir, settings.spillDirName);
  if (settings.memoryBudget !== undefined) {
    // As the laptop runner does: an unusable directory fails the run at once with SKY_SPILL_DIR, before
    // any host starts (each host's store would fail to open, and its replacement too).
    try {
      await probeDirectory(spillRoot, nodeSpillIo);
    } catch (error) {
      await launcher.close();
      throw error;
    }
  }
  const admission = settings.admission ? new Admission(settings.admission) : undefined;
  const gate = admission?.limits ? { admission } : {};
  const pool = new HostPool({
    launcher,
    host: { seed: run.seed, verify: run.verify, preload: [run.algorithm.moduleUrl], ...(settings.memoryBudget === undefined ? {} : { memoryBudget: settings.memoryBudget }) },
    spillRoot,
    sink: { emit: run.emit, stats: run.stats, ...(gate.admission ? { resident: (host: number, byRootChild: Readonly<Record<string, number>>) => gate.admission.observe(host, byRootChild) } : {}) },
    memoryGuard: { hostLimit: settings.hostMemoryLimit },
  });
  const root: WireSpec = { moduleUrl: run.algorithm.moduleUrl, name: run.algorithm.name, input: run.input, path: 'root', index: 0, size: 1 };
  try {
    const journal = run.journal ? { journal: { journal: run.journal, refs: pool.refs } } : {};
    const timeout = settings.stepTimeoutMs === undefined ? {} : { stepTimeoutMs: settings.stepTimeoutMs };
    // Admission learns from completed collectives which visits have settled (`admission.ts`).
    const admitting = gate.admission;
    const emit = admitting
      ? (e: RunEventBody): void => {
          if (e.type === 'collective-completed') admitting.collectiveCompleted(e.group);
          run.emit(e);
        }
      : run.emit;
    const [output] = await runClusterGroup({ pool, emit, stats: run.stats, retries: settings.retries, ...timeout, ...journal, ...gate }, [root], 'root', run.signal);
    return output;
  } finally {
    await run.journal?.settle(); // the ledger may still be reading outputs from the hosts
    await pool.close();
    run.stats.peakStoreBytes = Math.max(run.stats.peakStoreBytes, pool.peakBytes);
    // Never masks the run's own outcome (rm's `force` ignores only a missing path).
    if (settings.memoryBudget !== undefined) await rm(spillRoot, { recursive: true, force: true }).catch(() => {});
  }
}
