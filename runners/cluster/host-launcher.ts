/**
 * What the host pool needs from a transport: a way to start one host and talk to it with comlink.
 * Two launchers exist: worker threads over MessagePorts (`thread-launcher.ts`, cluster mode) and
 * processes started by Slurm over TCP (`runners/slurm/slurm-launcher.ts`). The host logic (`host.ts`,
 * `serve-host.ts`) and the coordinator's side (`host-handle.ts`, `host-pool.ts`) are the same for both.
 *
 * It does not cover placement, loss handling or retries (the pool and the group loop do).
 */
import type * as Comlink from 'comlink';
import type { HostGauge } from './host-gauge.ts';
import type { CoordinatorApi, HostApi, HostConfig } from './protocol.ts';

/** Something the pool closes when a host is lost (a MessagePort, a socket channel). */
export interface HostLink {
  close(): void;
}

export interface LaunchedHost {
  readonly api: Comlink.Remote<HostApi>;
  readonly links: readonly HostLink[];
  /** Settles when the host has ended: resolves after a shutdown, rejects with why it died otherwise. */
  readonly ended: Promise<unknown>;
  /** Shared memory the host keeps current (worker threads only; see `host-gauge.ts`). */
  readonly gauge?: HostGauge;
  /**
   * Stops the host at once, even in the middle of a step (a thread can be terminated, not interrupted);
   * `ended` then rejects. Absent where the launcher cannot (a Slurm host process). Never rejects.
   */
  terminate?(): Promise<void>;
}

export interface HostLauncher {
  /** Hosts the pool opens with. */
  readonly hosts: number;
  /**
   * Starts host `config.hostId`, which may call `coordinator`; undefined when this launcher can start
   * no more hosts (a Slurm step has a fixed number of tasks): the pool then runs on with the rest.
   */
  launch(config: HostConfig, coordinator: CoordinatorApi): LaunchedHost | undefined;
  /** Stops whatever still runs, after the pool has asked the hosts to shut down. Never rejects. */
  close(): Promise<void>;
}
