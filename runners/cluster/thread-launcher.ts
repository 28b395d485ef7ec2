/**
 * Hosts on worker threads of this process. piscina owns the threads: one long-lived host task per
 * thread (see `host-task.ts`), so piscina starts them (with resource limits), notices a thread that
 * dies (the task rejects), starts a replacement thread, and terminates them all at the end. comlink
 * carries the calls over two MessagePorts per host.
 *
 * It does not place units or decide what a lost host means (the pool does).
 */
import { MessageChannel, type ResourceLimits } from 'node:worker_threads';
import * as Comlink from 'comlink';
import { Piscina } from 'piscina';
import { HostGauge } from './host-gauge.ts';
import type { HostLauncher, LaunchedHost } from './host-launcher.ts';
import type { HostTaskInput } from './host-task.ts';
import type { CoordinatorApi, HostApi, HostConfig } from './protocol.ts';

export interface ThreadLauncherOptions {
  readonly workers: number;
  readonly resourceLimits?: ResourceLimits;
  /** Modules every thread starts loading at once (see HostConfig.preload). */
  readonly preload?: readonly string[];
}

export class ThreadLauncher implements HostLauncher {
  readonly hosts: number;
  readonly #piscina: Piscina;

  constructor(options: ThreadLauncherOptions) {
    this.hosts = options.workers;
    this.#piscina = new Piscina({
      filename: new URL('./worker.mjs', import.meta.url).href,
      minThreads: options.workers,
      maxThreads: options.workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      execArgv: [], // the worker entry registers tsx itself; the parent's flags (vitest, --import) do not apply
      workerData: { preload: options.preload ?? [] }, // the worker entry starts loading these at once
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
    this.#piscina.on('error', () => {}); // a dying thread is reported through its host task instead
  }

  launch(config: HostConfig, coordinator: CoordinatorApi): LaunchedHost {
    const toHost = new MessageChannel();
    const toCoordinator = new MessageChannel();
    Comlink.expose(coordinator, toCoordinator.port1 as unknown as Comlink.Endpoint);
    const api = Comlink.wrap<HostApi>(toHost.port1 as unknown as Comlink.Endpoint);
    const gauge = HostGauge.create();
    const input: HostTaskInput = { config, hostPort: toHost.port2, coordinatorPort: toCoordinator.port2, gauge: gauge.handle };
    const ended = this.#piscina.run(input, { transferList: [toHost.port2, toCoordinator.port2] });
    return { api, links: [toHost.port1, toCoordinator.port1], ended, gauge, terminate: () => this.#terminate(gauge) };
  }

  /** Terminates the thread the host identified on its gauge; piscina then rejects its task and starts another thread. */
  async #terminate(gauge: HostGauge): Promise<void> {
    const id = gauge.threadId;
    const worker = id === 0 ? undefined : this.#piscina.threads.find((w) => w.threadId === id);
    await worker?.terminate().catch(() => {});
  }

  async close(): Promise<void> {
    await this.#piscina.destroy().catch(() => {});
  }
}
