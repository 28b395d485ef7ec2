/**
 * One process per run directory: `runDir/run.lock`, created exclusively (O_EXCL) and holding the
 * holder's pid and host. A second process gets `SKY_RUN_LOCKED` naming that pid; a lock whose pid is
 * no longer alive on this host (a run killed with -9) is taken over at once.
 *
 * Why not proper-lockfile: it decides staleness by the lock's mtime (a run killed -9 stays locked for
 * its `stale` period, seconds, during which a resume fails), it does not record the holder's pid, and
 * it installs signal-exit's process-wide signal handlers, while importing skyloom must change nothing
 * process-wide. Does not cover run directories shared between hosts (a pid means nothing elsewhere: a
 * lock from another host is never taken over), nor a pid reused by an unrelated process after a crash.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, SkyloomError } from '../errors.ts';

export const runLockFile = (runDir: string): string => join(runDir, 'run.lock');

export interface RunLock {
  /** Removes the lock (idempotent). */
  release(): void;
}

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/** Takes the lock of `runDir` (the directory must exist), or throws `SKY_RUN_LOCKED`. */
export function lockRun(runDir: string): RunLock {
  const file = runLockFile(runDir);
  for (let attempt = 0; attempt < 5; attempt++) {
    const fd = tryCreate(file);
    if (fd !== undefined) {
      const holder: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
      try {
        writeSync(fd, JSON.stringify(holder));
      } finally {
        closeSync(fd);
      }
      let held = true;
      return {
        release() {
          if (held) rmSync(file, { force: true });
          held = false;
        },
      };
    }
    const holder = readHolder(file);
    if (holder === 'gone') continue; // released meanwhile: try again
    if (holder !== 'unreadable' && isAlive(holder)) {
      throw new SkyloomError(ErrorCode.RunLocked, `${runDir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.started}): one process per run directory; wait for it to end, or stop it (its lock is ${file})`);
    }
    if (holder === 'unreadable' && !olderThanAFewSeconds(file)) {
      // Another process has just created it and not yet written its pid.
      throw new SkyloomError(ErrorCode.RunLocked, `${runDir} is being locked by another process right now (${file})`);
    }
    takeOver(file, holder);
  }
  throw new SkyloomError(ErrorCode.RunLocked, `${runDir}: could not take its lock (${file}): other processes keep taking it`);
}

function tryCreate(file: string): number | undefined {
  try {
    return openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw new SkyloomError(ErrorCode.DirectoryUnusable, `cannot create the run lock ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function readHolder(file: string): Holder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    return 'unreadable';
  }
  try {
    const holder = JSON.parse(text) as Holder;
    return Number.isSafeInteger(holder.pid) && typeof holder.host === 'string' ? holder : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Whether the holder still runs. A lock from another host is taken to be alive: its pid cannot be checked here. */
function isAlive(holder: Holder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

function olderThanAFewSeconds(file: string): boolean {
  try {
    const { mtimeMs } = statSync(file);
    return Date.now() - mtimeMs > 5000;
  } catch {
    return true;
  }
}


/**
 * Moves a dead holder's lock aside under a unique name, then deletes it: of two processes taking over
 * at once only one rename succeeds; the other finds the file gone and competes for a fresh lock. If
 * what was moved aside is not the dead lock that was judged (another process had already taken over
 * and locked anew), it is put back with link(), which never overwrites.
 */
function takeOver(file: string, judged: Holder | 'unreadable'): void {
  const aside = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(file, aside);
  } catch {
    return;
  }
  const moved = readHolder(aside);
  const same = judged === 'unreadable' ? moved === 'unreadable' : typeof moved === 'object' && moved.pid === judged.pid && moved.started === judged.started;
  if (!same) {
    try {
      linkSync(aside, file);
    } catch {
      // a newer lock is in place already; ours would be older still
    }
  }
  rmSync(aside, { force: true });
}
