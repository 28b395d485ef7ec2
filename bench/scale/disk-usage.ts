/**
 * Disk use of a directory tree, as `du` counts it: allocated blocks (`st_blocks` × 512), not file
 * lengths, so preallocated or sparse spill files count for what they hold on disk. Files that vanish
 * while it walks (spill files renamed or deleted by the running job) are skipped, not errors.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes allocated under `path` (0 if it does not exist). */
export async function diskUsage(path: string): Promise<number> {
  let stat;
  try {
    stat = await lstat(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.blocks * 512;
  let names: string[];
  try {
    names = await readdir(path);
  } catch {
    return 0;
  }
  let total = 0;
  for (const name of names) total += await diskUsage(join(path, name));
  return total;
}
