/**
 * Runs one `skyloom run` as a child process and watches it from outside: its resident memory from
 * `/proc/<pid>/status` every ~20 ms (VmRSS, and VmHWM, whose last reading before exit is the kernel's
 * own peak), and the disk use of its run directory every ~200 ms (the directory is read from the
 * CLI's "run directory …" line on stderr). Calls `onProgress` every `progressEveryMs` while it runs.
 * Does not interpret the run's outputs (see `spill-accounting.ts` and `../scale.ts`).
 */
import { spawn } from 'node:child_process';
import { diskUsage } from './disk-usage.ts';
import { readProcMemory } from './proc-memory.ts';

export interface ChildFigures {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From spawn to exit: start-up, the run, and writing the outputs. */
  readonly wallMs: number;
  /** Highest VmRSS sampled. */
  readonly sampledPeakRssBytes: number;
  /** The last VmHWM read before the child exited. */
  readonly hwmBytes: number;
  readonly rssSamples: number;
  /** Highest disk use of the run directory sampled. */
  readonly peakDiskBytes: number;
  readonly runDir: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ChildProgress {
  readonly elapsedMs: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  readonly diskBytes: number;
}

export interface MeasureOptions {
  readonly cwd: string;
  /** Variables added to this process's environment for the child. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the run directory is, until the child says (its `--out`). */
  readonly diskFallback: string;
  readonly onProgress?: (progress: ChildProgress) => void;
  readonly progressEveryMs?: number;
}

/** Spawns `process.execPath` with `args` and measures it until it exits. Never rejects for the child's own failure. */
export async function measureChild(args: readonly string[], options: MeasureOptions): Promise<ChildFigures> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${process.execPath} ${args.join(' ')}`);
  let stdout = '';
  let stderr = '';
  let runDir: string | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    runDir ??= /run directory (\S+)/.exec(stderr)?.[1];
  });

  let rss = 0;
  let peakRss = 0;
  let hwm = 0;
  let rssSamples = 0;
  let disk = 0;
  let peakDisk = 0;
  const sampler = (everyMs: number, sample: () => Promise<void>): NodeJS.Timeout => {
    let busy = false; // a slow sample (a big tree to walk) is skipped over, not stacked up
    return setInterval(() => {
      if (busy) return;
      busy = true;
      void sample().finally(() => (busy = false));
    }, everyMs);
  };
  const rssTimer = sampler(20, async () => {
    const memory = await readProcMemory(pid);
    if (!memory) return;
    rss = memory.rssBytes;
    peakRss = Math.max(peakRss, rss);
    hwm = Math.max(hwm, memory.hwmBytes);
    rssSamples++;
  });
  const diskTimer = sampler(200, async () => {
    disk = await diskUsage(runDir ?? options.diskFallback);
    peakDisk = Math.max(peakDisk, disk);
  });
  const progressTimer = options.onProgress
    ? setInterval(() => options.onProgress?.({ elapsedMs: performance.now() - t0, rssBytes: rss, peakRssBytes: Math.max(peakRss, hwm), diskBytes: disk }), options.progressEveryMs ?? 30_000)
    : undefined;

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => resolve([code, sig]));
  });
  clearInterval(rssTimer);
  clearInterval(diskTimer);
  clearInterval(progressTimer);
  return { exitCode, signal, wallMs: performance.now() - t0, sampledPeakRssBytes: peakRss, hwmBytes: hwm, rssSamples, peakDiskBytes: peakDisk, runDir, stdout, stderr };
}
