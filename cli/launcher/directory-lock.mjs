// A lock between processes on one machine, held while `fn` runs: a directory made with mkdir (atomic)
// holding the holder's pid. A lock whose holder is no longer alive is taken over. Synchronous, for the
// launcher, which has nothing else to do meanwhile.
//
// Not covered: locks across machines (a network file system's mkdir is not a lock) and holders that
// hang (it waits for them, saying so once).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pollMs = 100;
/** Polls after which a lock with no pid in it (its maker died before writing it) is taken over. */
const pidlessPolls = 50;

export function withDirectoryLock(lock, fn) {
  acquire(lock);
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function acquire(lock) {
  let said = false;
  let pidless = 0;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = holderOf(lock);
    pidless = holder === undefined ? pidless + 1 : 0;
    if ((holder !== undefined && !alive(holder)) || pidless > pidlessPolls) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!said) process.stderr.write(`skyloom: waiting for process ${holder ?? '?'} (lock ${lock})\n`);
    said = true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pollMs);
  }
}

/** The pid in the lock, or undefined while its holder has not written it yet. */
function holderOf(lock) {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}
