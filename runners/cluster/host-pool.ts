/**
 * The run's hosts, started by a `HostLauncher`: worker threads (`thread-launcher.ts`) or processes of
 * a Slurm step (`runners/slurm/`); comlink carries the calls either way. A lost host is replaced at
 * once by a fresh one when the launcher can start one (threads can; a Slurm step cannot, and its
 * retried groups run on the tasks left), so a retried group finds an idle host.
 *
 * Placement: `place` picks the live host with the least outstanding work (lowest id on ties); a unit
 * stays on its host for life. `fetch` moves a ref between hosts by transfer, through the coordinator.
 */
import { join } from 'node:path';
import * as Comlink from 'comlink';
import { errorFromWire, errorToWire } from '../../lib/error-wire.ts';
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import type { RefAccess } from '../../lib/journal.ts';
import type { Ref } from '../../lib/ref.ts';
import { HostHandle, type HostSink } from './host-handle.ts';
import type { HostLauncher } from './host-launcher.ts';
import { MemoryGuard, type MemoryGuardSettings } from './memory-guard.ts';
import { ownerOf, type CoordinatorApi, type HostConfig, type WireReply } from './protocol.ts';
import { buffersOf } from './transfer-copy.ts';

export interface HostPoolOptions {
  /** Starts the hosts (threads, or processes of a Slurm step). */
  readonly launcher: HostLauncher;
  /** Settings every host gets (its id and spill directory are added per host). */
  readonly host: Omit<HostConfig, 'hostId' | 'spillDir'>;
  /** Each host spills under `<spillRoot>/h<id>`. */
  readonly spillRoot: string;
  readonly sink: HostSink;
  /** Limits of the hosts' buffer memory (`memory-guard.ts`). Default: no per-host limit. */
  readonly memoryGuard?: MemoryGuardSettings;
}

/** How long `close` waits for hosts to close their stores before threads are terminated anyway. */
const shutdownGraceMs = 5_000;

export class HostPool {
  readonly #options: HostPoolOptions;
  readonly #launcher: HostLauncher;
  readonly #live: HostHandle[] = [];
  readonly #all = new Map<number, HostHandle>();
  readonly #coordinator: CoordinatorApi = { fetch: (refId) => this.#fetch(refId) };
  readonly #guard: MemoryGuard;
  #nextId = 0;
  #closing = false;
  /** Why the most recent host was lost (the cause when none is left). */
  #lastLoss: SkyloomError | undefined;

  constructor(options: HostPoolOptions) {
    this.#options = options;
    this.#launcher = options.launcher;
    for (let i = 0; i < options.launcher.hosts; i++) this.#spawn();
    this.#guard = new MemoryGuard(() => this.#live, options.memoryGuard ?? { hostLimit: undefined });
  }

  /** The live host with the least outstanding work; counts the new unit on it. Throws `SKY_HOST_LOST` after `close`. */
  place(): HostHandle {
    const best = this.#leastLoaded();
    best.load++;
    return best;
  }

  #leastLoaded(): HostHandle {
    let best: HostHandle | undefined;
    for (const host of this.#live) if (!best || host.load < best.load) best = host;
    if (!best && this.#closing) throw new SkyloomError(ErrorCode.HostLost, 'no worker host is running (the run is closing)');
    const last = this.#lastLoss;
    if (!best) throw new SkyloomError(ErrorCode.HostLost, `no worker host is left running${last ? ` (the last one: ${last.message})` : ''}`, last ? { cause: last } : {});
    return best;
  }

  /** The run ledger's access to refs: reads them from their owner host, puts recalled values on the least loaded host. */
  readonly refs: RefAccess = {
    read: async (ref, use) => {
      const reply = await this.#fetch(ref.$ref);
      if (!reply.ok) throw errorFromWire(reply.error);
      return use(reply.value); // a copy: this thread's own
    },
    write: async (value: unknown) => {
      const host = this.#leastLoaded();
      const reply = await host.raw<WireReply>((api) => api.adopt(value));
      if (!reply.ok) throw errorFromWire(reply.error);
      return reply.value as Ref;
    },
  };

  /** Sum of the most bytes each host's store held at once. */
  get peakBytes(): number {
    let sum = 0;
    for (const host of this.#all.values()) sum += host.peakBytes;
    return sum;
  }

  /**
   * Asks hosts to close their stores, then terminates every thread. A host still busy is not asked: its
   * call was left running when a group failed (a long step or central function of a doomed member), and
   * the run's end would wait for it; it is terminated with the rest. Never rejects.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#guard.stop();
    const idle = this.#live.filter((host) => !host.busy);
    const shutdowns = idle.map((host) => host.call((api) => api.shutdown()).catch(() => {}));
    await Promise.race([Promise.all(shutdowns), new Promise((resolve) => setTimeout(resolve, shutdownGraceMs).unref())]);
    await this.#launcher.close();
    for (const host of this.#all.values()) host.markLost(new Error('the run ended'));
  }

  #spawn(): void {
    const id = this.#nextId;
    const config: HostConfig = { ...this.#options.host, hostId: id, spillDir: join(this.#options.spillRoot, `h${id}`) };
    const launched = this.#launcher.launch(config, this.#coordinator);
    if (!launched) return; // the launcher can start no more: the run goes on with the hosts left
    this.#nextId++;
    const host = new HostHandle(id, launched, this.#options.sink, (lost) => this.#onLost(lost));
    this.#live.push(host);
    this.#all.set(id, host);
    launched.ended.then(
      () => host.markLost(new Error('its task ended')),
      (error: unknown) => host.markLost(error),
    );
  }

  #onLost(host: HostHandle): void {
    const at = this.#live.indexOf(host);
    if (at >= 0) this.#live.splice(at, 1);
    this.#lastLoss = host.lost;
    if (!this.#closing) this.#spawn(); // piscina replaces the thread; a fresh host task takes it
  }

  async #fetch(refId: string): Promise<WireReply> {
    const id = ownerOf(refId);
    const owner = id === undefined ? undefined : this.#all.get(id);
    try {
      if (!owner) throw new SkyloomError(ErrorCode.UnknownRef, `ref ${refId} was not made by any worker host of this run`, { ref: refId });
      const reply: WireReply = await owner.raw((api) => api.read(refId) as Promise<WireReply>);
      return reply.ok ? Comlink.transfer(reply, buffersOf(reply.value)) : reply;
    } catch (error) {
      return { ok: false, error: errorToWire(error) }; // e.g. the owner was lost
    }
  }
}
