/**
 * The run's worker hosts. piscina owns the threads: one long-lived host task per thread (see
 * `host-task.ts`), so piscina starts them (with resource limits), notices a thread that dies (the
 * task rejects), starts a replacement thread, and terminates them all at the end. comlink carries the
 * calls over two MessagePorts per host. A lost host is replaced at once by a fresh one, so a retried
 * group finds an idle host.
 *
 * Placement: `place` picks the live host with the least outstanding work (lowest id on ties); a unit
 * stays on its host for life. `fetch` moves a ref between hosts by transfer, through the coordinator.
 */
import { MessageChannel, type ResourceLimits } from 'node:worker_threads';
import { join } from 'node:path';
import * as Comlink from 'comlink';
import { Piscina } from 'piscina';
import { errorFromWire, errorToWire } from '../../lib/error-wire.ts';
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import type { RefAccess } from '../../lib/journal.ts';
import type { Ref } from '../../lib/ref.ts';
import { HostHandle, type HostSink } from './host-handle.ts';
import type { HostTaskInput } from './host-task.ts';
import { ownerOf, type CoordinatorApi, type HostApi, type HostConfig, type WireReply } from './protocol.ts';
import { buffersOf } from './transfer-copy.ts';

export interface HostPoolOptions {
  readonly workers: number;
  readonly resourceLimits?: ResourceLimits;
  /** Settings every host gets (its id and spill directory are added per host). */
  readonly host: Omit<HostConfig, 'hostId' | 'spillDir'>;
  /** Each host spills under `<spillRoot>/h<id>`. */
  readonly spillRoot: string;
  readonly sink: HostSink;
}

/** How long `close` waits for hosts to close their stores before threads are terminated anyway. */
const shutdownGraceMs = 5_000;

export class HostPool {
  readonly #options: HostPoolOptions;
  readonly #piscina: Piscina;
  readonly #live: HostHandle[] = [];
  readonly #all = new Map<number, HostHandle>();
  readonly #coordinator: CoordinatorApi = { fetch: (refId) => this.#fetch(refId) };
  #nextId = 0;
  #closing = false;

  constructor(options: HostPoolOptions) {
    this.#options = options;
    this.#piscina = new Piscina({
      filename: new URL('./worker.mjs', import.meta.url).href,
      minThreads: options.workers,
      maxThreads: options.workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      execArgv: [], // the worker entry registers tsx itself; the parent's flags (vitest, --import) do not apply
      workerData: { preload: options.host.preload ?? [] }, // the worker entry starts loading these at once
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
    this.#piscina.on('error', () => {}); // a dying thread is reported through its host task instead
    for (let i = 0; i < options.workers; i++) this.#spawn();
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
    if (!best) throw new SkyloomError(ErrorCode.HostLost, 'no worker host is running (the run is closing)');
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
    const idle = this.#live.filter((host) => !host.busy);
    const shutdowns = idle.map((host) => host.call((api) => api.shutdown()).catch(() => {}));
    await Promise.race([Promise.all(shutdowns), new Promise((resolve) => setTimeout(resolve, shutdownGraceMs).unref())]);
    await this.#piscina.destroy().catch(() => {});
    for (const host of this.#all.values()) host.markLost(new Error('the run ended'));
  }

  #spawn(): void {
    const id = this.#nextId++;
    const toHost = new MessageChannel();
    const toCoordinator = new MessageChannel();
    Comlink.expose(this.#coordinator, toCoordinator.port1 as unknown as Comlink.Endpoint);
    const api = Comlink.wrap<HostApi>(toHost.port1 as unknown as Comlink.Endpoint);
    const host = new HostHandle(id, api, [toHost.port1, toCoordinator.port1], this.#options.sink, (lost) => this.#onLost(lost));
    this.#live.push(host);
    this.#all.set(id, host);
    const config: HostConfig = { ...this.#options.host, hostId: id, spillDir: join(this.#options.spillRoot, `h${id}`) };
    const input: HostTaskInput = { config, hostPort: toHost.port2, coordinatorPort: toCoordinator.port2 };
    this.#piscina.run(input, { transferList: [toHost.port2, toCoordinator.port2] }).then(
      () => host.markLost(new Error('its task ended')),
      (error: unknown) => host.markLost(error),
    );
  }

  #onLost(host: HostHandle): void {
    const at = this.#live.indexOf(host);
    if (at >= 0) this.#live.splice(at, 1);
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
