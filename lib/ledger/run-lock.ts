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
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
    const holder: Holder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
    if (tryCreate(file, holder)) {
      let held = true;
      return {
        release() {
          if (held) rmSync(file, { force: true });
          held = false;
        },
      };
    }
    const found = readHolder(file);
    if (found === 'gone') continue; // released meanwhile: try again
    if (found !== 'unreadable' && isAlive(found)) {
      throw new SkyloomError(ErrorCode.RunLocked, `${runDir} is in use by process ${found.pid} on ${found.host} (since ${found.started}): one process per run directory; wait for it to end, or stop it (its lock is ${file})`);
    }
    takeOver(file, found); // its holder is dead, or it is not a lock this code wrote
  }
  throw new SkyloomError(ErrorCode.RunLocked, `${runDir}: could not take its lock (${file}): other processes keep taking it`);
}

/**
 * Creates the lock with its content in one step: the holder is written to a file of its own, then
 * hard-linked to the lock's name (link() fails if the name exists), so a lock is never seen empty.
 */
function tryCreate(file: string, holder: Holder): boolean {
  const own = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    writeFileSync(own, JSON.stringify(holder));
    linkSync(own, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SkyloomError(ErrorCode.DirectoryUnusable, `cannot create the run lock ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    rmSync(own, { force: true });
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
