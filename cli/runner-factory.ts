/**
 * Makes the runner the command line asks for. Runners are looked up by their export name in
 * `runners/index.ts`, so a runner that is not built yet gives a clear error rather than a silent
 * fallback to another one.
 */
import * as runners from '../runners/index.ts';
import type { Runner } from '../lib/index.ts';
import type { RunnerName } from './options.ts';

export interface RunnerSettings {
  /** The whole run's memory budget in bytes (the cluster runner splits it across its workers); undefined: unbudgeted. */
  readonly memory: number | undefined;
  readonly workers: number;
  /** Slurm tasks of the slurm runner (absent: its default). */
  readonly tasks?: number;
}

/** A runner that the build does not provide. */
export class RunnerUnavailableError extends Error {
  override readonly name = 'RunnerUnavailableError';
}

const factories: Record<RunnerName, { readonly exportName: string; readonly options: (s: RunnerSettings) => object }> = {
  inline: { exportName: 'inlineRunner', options: () => ({}) },
  // The command's process runs nothing else: its budget covers the process's growth too.
  laptop: { exportName: 'laptopRunner', options: (s) => ({ memoryBudget: s.memory, budgetCovers: 'process' }) },
  cluster: { exportName: 'clusterRunner', options: (s) => ({ workers: s.workers, ...(s.memory === undefined ? {} : { memoryBudget: s.memory }) }) },
  slurm: { exportName: 'slurmRunner', options: (s) => ({ ...(s.tasks === undefined ? {} : { tasks: s.tasks }), ...(s.memory === undefined ? {} : { memoryBudget: s.memory }) }) },
};

export function createRunner(name: RunnerName, settings: RunnerSettings): Runner {
  const { exportName, options } = factories[name];
  const factory = (runners as Record<string, unknown>)[exportName];
  if (typeof factory !== 'function') {
    const available = Object.keys(runners).filter((key) => key.endsWith('Runner')).join(', ');
    throw new RunnerUnavailableError(`runner "${name}" is not available in this build: runners/index.ts exports no ${exportName} (available: ${available})`);
  }
  return (factory as (options: object) => Runner)(options(settings));
}

/** Names of the runners this build provides. Never throws. */
export function availableRunners(): RunnerName[] {
  return (Object.keys(factories) as RunnerName[]).filter((name) => typeof (runners as Record<string, unknown>)[factories[name].exportName] === 'function');
}
