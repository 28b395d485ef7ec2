/**
 * Keeps one worker host's buffer memory from taking the whole process down. Worker `resourceLimits`
 * cap the V8 heap, not ArrayBuffers, so an allocation storm in one unit (`for (;;) keep.push(new
 * Float64Array(1e6))`) grows until the OOM killer ends the process, every host and the coordinator
 * with it. The coordinator cannot read another thread's memory, and a host busy in a step cannot run
 * a timer; but a host can publish its own figure whenever it is free (`host-gauge.ts`), the kernel
 * counts page faults per thread, and the coordinator can terminate a thread. So, every `tickMs`:
 *
 * - a host that published buffer bytes over `hostLimit` twice in a row (a second look lets a
 *   collection catch up) is stopped;
 * - when the process's RSS passes its ceiling, of the hosts busy in a step (no figure published for
 *   a while: those that publish are judged by their figure), the one that touched the most new memory
 *   since the last look (minor page faults of its thread, `/proc/self/task/<tid>/stat`; where that
 *   cannot be read, the one whose step has run longest) is stopped.
 *
 * A stopped host's running unit fails with `SKY_MEMORY_BUDGET` (its path, the figure, the limit); its
 * other units are lost as after any host loss, and the pool starts a replacement (`HostHandle.stop`).
 * The ceiling: with a per-host limit, the RSS once every host is up (measured again, never lower,
 * after a host is replaced) plus `hostLimit` per host plus `heapAllowance` (the hosts' V8 heaps grow
 * as a run goes on); without one, `unboundedShare` of the machine's memory. A storm faster than `tickMs` allows
 * overshoots by what it allocates in one tick.
 *
 * It does not limit the coordinator's own memory nor a host's V8 heap (`resourceLimits` does).
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { formatBytes } from '../../lib/byte-size.ts';
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import type { HostHandle } from './host-handle.ts';

export interface MemoryGuardSettings {
  /** Most buffer bytes one host may hold; undefined: only the process ceiling applies. */
  readonly hostLimit: number | undefined;
}

/** How often the guard looks. */
const tickMs = 50;
/** A gauge older than this is a host busy in a step. */
const staleMs = 4 * tickMs;
/** Without a per-host limit, the process may use this share of the machine's memory. */
const unboundedShare = 0.8;
/** Room above the start-up RSS for what is not buffers: the threads' V8 heaps, code, malloc's own. */
const heapAllowance = 256 * 2 ** 20;

export class MemoryGuard {
  readonly #hosts: () => readonly HostHandle[];
  readonly #hostLimit: number | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #strikes = new Map<HostHandle, number>();
  readonly #faults = new Map<HostHandle, number>();
  #ceiling: number | undefined;
  /** The hosts the ceiling was measured with (a replacement measures again). */
  #measuredWith = '';

  constructor(hosts: () => readonly HostHandle[], settings: MemoryGuardSettings) {
    this.#hosts = hosts;
    this.#hostLimit = settings.hostLimit;
    if (settings.hostLimit === undefined) this.#ceiling = unboundedShare * machineMemory();
    this.#timer = setInterval(() => this.#tick(), tickMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    const hosts = this.#hosts().filter((h) => h.gauge && !h.lost);
    const now = Date.now();
    for (const host of hosts) this.#checkPublished(host, now);
    const faults = new Map(hosts.map((h) => [h, this.#faultsSince(h)] as const));
    if (this.#hostLimit !== undefined && !this.#measure(hosts, this.#hostLimit)) return;
    const rss = process.memoryUsage.rss();
    if (this.#ceiling === undefined || rss <= this.#ceiling) return;
    const busy = hosts.filter((h) => now - (h.gauge?.memory()?.at ?? now) > staleMs);
    const culprit = this.#culprit(busy, faults, now);
    if (culprit) this.#stop(culprit, `the process's resident memory reached ${formatBytes(rss)}, over its ceiling of ${formatBytes(this.#ceiling)}, and this host's thread touched the most new memory`);
  }

  /** Sets the ceiling once every host (of this set) is up; false while some are still starting. */
  #measure(hosts: readonly HostHandle[], hostLimit: number): boolean {
    const ids = hosts.map((h) => h.id).join();
    if (ids === this.#measuredWith) return true;
    if (hosts.length === 0 || !hosts.every((h) => h.gauge?.memory() !== undefined)) return false;
    const ceiling = process.memoryUsage.rss() + hostLimit * hosts.length + heapAllowance;
    this.#ceiling = Math.max(this.#ceiling ?? 0, ceiling);
    this.#measuredWith = ids;
    return true;
  }

  #checkPublished(host: HostHandle, now: number): void {
    const published = host.gauge?.memory();
    const limit = this.#hostLimit;
    if (!published || limit === undefined || now - published.at > staleMs || published.bytes <= limit) return void this.#strikes.delete(host);
    const strikes = (this.#strikes.get(host) ?? 0) + 1;
    this.#strikes.set(host, strikes);
    if (strikes >= 2) this.#stop(host, `its buffers held ${formatBytes(published.bytes)}, over the limit of ${formatBytes(limit)} per host`);
  }

  /** Minor page faults of the host's thread since the previous look, or undefined where they cannot be read. */
  #faultsSince(host: HostHandle): number | undefined {
    const total = minorFaults(host.gauge?.osThreadId ?? 0);
    if (total === undefined) return undefined;
    const before = this.#faults.get(host) ?? total;
    this.#faults.set(host, total);
    return total - before;
  }

  /** The host with a step running that touched the most new memory (or, unknown, whose step runs longest). */
  #culprit(hosts: readonly HostHandle[], faults: ReadonlyMap<HostHandle, number | undefined>, now: number): HostHandle | undefined {
    let best: HostHandle | undefined;
    let score = -Infinity;
    for (const host of hosts) {
      const step = host.gauge?.runningStep();
      if (!step) continue;
      const s = faults.get(host) ?? (now - step.startedAt) / 1e6; // fault counts dwarf the fallback
      if (s > score) [best, score] = [host, s];
    }
    return best;
  }

  #stop(host: HostHandle, why: string): void {
    this.#strikes.delete(host);
    this.#faults.delete(host);
    const step = host.gauge?.runningStep();
    const error = (path?: string): SkyloomError => {
      const who = path === undefined ? `worker host ${host.id}` : `unit ${path} (on worker host ${host.id})`;
      return new SkyloomError(ErrorCode.MemoryBudget, `${who} was stopped: ${why}; the host's thread was terminated and is replaced`, path === undefined ? {} : { unitPath: path });
    };
    host.stop(step?.token, error);
  }
}

/** Physical memory, or the cgroup's limit when lower. */
function machineMemory(): number {
  const total = totalmem();
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 && constrained < total ? constrained : total;
}

/** Minor page faults of OS thread `tid` of this process (Linux), or undefined. */
function minorFaults(tid: number): number | undefined {
  if (tid === 0) return undefined;
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const minflt = Number(fields[7]); // field 10 of stat(5), counted after "pid (comm) "
    return Number.isFinite(minflt) ? minflt : undefined;
  } catch {
    return undefined;
  }
}
