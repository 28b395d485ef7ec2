/**
 * The "loaded" half of bench:scale's baseline: the resident memory of a process of the same kind as
 * the measured one (npm start's environment and node flags, the compiled copy the CLI runs, skyloom +
 * the algorithms + the runners loaded, nothing run), measured in a fresh child (`loaded-process.mjs`). The other half, the run's largest single step,
 * comes from the measured run's own summary (`peakStepBytes`).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProcMemory } from './proc-memory.ts';
import { mainJobCommand } from './main-job-command.ts';

const probe = fileURLToPath(new URL('./loaded-process.mjs', import.meta.url));

export interface LoadedBaseline {
  /** Bytes: VmRSS after idling (single thread), or VmHWM (with cluster workers, which end with their run). */
  readonly bytes: number;
  readonly workers: number;
}

/** The median of `repeats` probes (the machine is shared: one probe can be unlucky). */
export function measureLoadedBaseline(workers: number, repeats = 3): LoadedBaseline {
  const figures: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const { env, nodeFlags } = mainJobCommand();
    const args = [...nodeFlags, probe, '--workers', String(workers)];
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
    const memory = JSON.parse(out.trim().split('\n').pop() ?? '') as ProcMemory;
    figures.push(workers > 0 ? memory.hwmBytes : memory.rssBytes);
  }
  figures.sort((a, b) => a - b);
  return { bytes: figures[Math.floor(figures.length / 2)] ?? 0, workers };
}
