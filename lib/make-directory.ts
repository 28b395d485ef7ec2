/**
 * Creates a directory and its missing parents one level at a time, and says why when it cannot.
 *
 * Why not `mkdir(path, { recursive: true })`: on Node 20 it loops forever under a filesystem that
 * answers ENOENT to a mkdir whose parent exists (procfs, sysfs: `--out /proc/x` hung). Creating each
 * missing level ourselves turns that into an error: the parent is there and the mkdir still fails.
 *
 * Does not check that the directory is writable (a spill directory is probed by the laptop store).
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCode, SkyloomError } from './errors.ts';

/** Creates `path` (and its missing parents); `SKY_DIRECTORY_UNUSABLE` (or `code`) naming `what` if it cannot. */
export function makeDirectory(path: string, what: string, code: ErrorCode = ErrorCode.DirectoryUnusable): void {
  const target = resolve(path);
  const missing: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    const kind = kindOf(dir);
    if (kind === 'directory') break;
    if (kind === 'other') throw new SkyloomError(code, `${what} ${path} cannot be created: ${dir} exists and is not a directory`);
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (cause) {
      const errno = (cause as NodeJS.ErrnoException).code;
      if (errno === 'EEXIST' && kindOf(dir) === 'directory') continue; // made by another process meanwhile
      const reason = errno === 'ENOENT' ? `the filesystem of ${dirname(dir)} does not let a directory be created there` : (cause as Error).message;
      throw new SkyloomError(code, `${what} ${path} cannot be created: ${reason}`, { cause });
    }
  }
}

function kindOf(path: string): 'directory' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return 'missing'; // ENOTDIR: a parent is a file, found further up
    throw new SkyloomError(ErrorCode.DirectoryUnusable, `${path} cannot be examined: ${(error as Error).message}`, { cause: error });
  }
}
