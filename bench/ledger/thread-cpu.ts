/**
 * CPU time of the process's main thread alone, in milliseconds, from Linux's scheduler statistics
 * (`/proc/self/task/PID/schedstat`: nanoseconds on the CPU, the thread whose id is the process id).
 * `process.cpuUsage()` sums every thread: V8's garbage-collection and compiler helpers and libuv's
 * file-system pool as well, whose share of a run varies more than the run's own JavaScript.
 * (`process.threadCpuUsage()` arrived in Node 23.) Undefined where there is no such file.
 *
 * It does not attribute time to code: it only reads a counter.
 */
import { readFileSync } from 'node:fs';

const file = `/proc/self/task/${process.pid}/schedstat`;

export function mainThreadCpuMs(): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}
