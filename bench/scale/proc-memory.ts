/**
 * A Linux process's resident memory as the kernel counts it, from `/proc/<pid>/status`: `VmRSS` (now)
 * and `VmHWM` (the high-water mark since the process started), in bytes. Linux only; a process that
 * has exited (or a zombie) has neither, and the reader returns undefined rather than throwing.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

export interface ProcMemory {
  /** Resident set size now, bytes. */
  readonly rssBytes: number;
  /** Highest resident set size so far, bytes. */
  readonly hwmBytes: number;
}

/** `pid`'s VmRSS and VmHWM, or undefined once it is gone. */
export async function readProcMemory(pid: number): Promise<ProcMemory | undefined> {
  try {
    return parseStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined; // exited between samples
  }
}

/** This process's VmRSS and VmHWM (for the baseline probe, which reports on itself). */
export function readOwnProcMemory(): ProcMemory {
  const memory = parseStatus(readFileSync('/proc/self/status', 'utf8'));
  if (!memory) throw new Error('/proc/self/status has no VmRSS/VmHWM: bench:scale needs Linux');
  return memory;
}

function parseStatus(text: string): ProcMemory | undefined {
  const field = (name: string): number | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]) * 1024; // the kernel's "kB" is KiB
  };
  const rss = field('VmRSS');
  const hwm = field('VmHWM');
  return rss === undefined || hwm === undefined ? undefined : { rssBytes: rss, hwmBytes: hwm };
}
