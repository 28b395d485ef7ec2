/**
 * Resource sanity before a run starts: more cluster workers than the machine runs in parallel are
 * capped (each is a thread with its own heap: `--workers 1024` on 2 cores was OOM-killed), and a run
 * with no memory budget whose visit cannot fit in physical memory is refused with a way out, instead
 * of growing until the OOM killer ends it without a word. `--force` lifts both. Estimates only: what a
 * budgeted run needs is checked by the runner (`SKY_MEMORY_BUDGET`).
 */
import { availableParallelism, totalmem } from 'node:os';
import { ErrorCode, SkyloomError } from '../lib/index.ts';
import { formatBytes } from './format.ts';
import type { RunOptions } from './options.ts';

/**
 * An unbudgeted run holds a whole visit's images and masks in its store; its peak RSS was 2.1x that
 * (demo camera, inline: 189 MB of images, 403 MB peak RSS), from working arrays and the process itself.
 */
export const unbudgetedRssPerImageByte = 2;

/** The workers to run with, and a warning if `--workers` was capped. */
export function capWorkers(options: RunOptions, parallelism = availableParallelism()): { workers: number; warning?: string } {
  if (options.runner !== 'cluster' || options.workers <= parallelism || options.force) return { workers: options.workers };
  return {
    workers: parallelism,
    warning: `--workers ${options.workers} is more than this machine runs in parallel (${parallelism}); using ${parallelism} (--force to run ${options.workers} anyway)`,
  };
}

/** Physical memory the process may use: the machine's, or its cgroup's limit when lower. */
export function usableMemory(): number {
  const limit = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  return limit > 0 && limit < totalmem() ? limit : totalmem();
}

/** `SKY_MEMORY_BUDGET` if an unbudgeted run's visit would need more than `memory` bytes (unless `--force`). */
export function checkFits(options: RunOptions, budgetBytes: number | undefined, imageBytesPerVisit: number, memory = usableMemory()): void {
  if (budgetBytes !== undefined || options.force) return;
  const needed = imageBytesPerVisit * unbudgetedRssPerImageByte;
  if (needed <= memory) return;
  const runner = options.runner === 'inline' ? 'the inline runner has no memory budget' : `the ${options.runner} runner runs unbudgeted without --memory`;
  throw new SkyloomError(
    ErrorCode.MemoryBudget,
    `camera ${options.camera}: a visit holds ${formatBytes(imageBytesPerVisit)} of images and needs about ${formatBytes(needed)} in memory, more than this machine's ${formatBytes(memory)}, and ${runner}: ` +
      `run it with a budget (--runner laptop --memory 2GB, or --runner cluster --memory …), or with fewer --sensors (--force to try anyway)`,
  );
}
