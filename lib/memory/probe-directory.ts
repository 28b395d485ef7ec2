/**
 * Checks a spill directory before a store uses it: creates it and writes, syncs and deletes a probe
 * file, so an unusable directory fails the run at its start with `SKY_SPILL_DIR`, not at the first spill.
 */
import { join } from 'node:path';
import { ErrorCode, SkyloomError } from '../errors.ts';
import { makeDirectory } from '../make-directory.ts';
import type { SpillIo } from './spill-file.ts';

/** Creates `directory` and writes, syncs and deletes a probe file in it. */
export async function probeDirectory(directory: string, io: SpillIo): Promise<void> {
  const probe = join(directory, `.probe-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    makeDirectory(directory, 'spill directory', ErrorCode.SpillDir); // not mkdir -p: it loops forever under /proc
    const handle = await io.open(probe, 'w');
    try {
      await handle.writev([new Uint8Array(8)], 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await io.unlink(probe);
  } catch (cause) {
    if (cause instanceof SkyloomError && cause.code === ErrorCode.SpillDir) throw cause; // makeDirectory's own, naming the directory
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new SkyloomError(ErrorCode.SpillDir, `spill directory ${directory} cannot be used: ${reason}`, { cause });
  }
}
