/**
 * Hosts as processes of one Slurm job step: `srun` starts one skyloom host process per task
 * (`host-process.mjs`); each connects back to the coordinator over TCP, proves it knows the run's
 * secret, receives its `HostConfig` and then serves the host protocol over that connection (see
 * `framed-socket.ts`). Inside an allocation (`SLURM_JOB_ID` set) srun makes a step of it; outside
 * one, srun asks Slurm for an allocation first.
 *
 * The secret reaches the tasks through srun's environment (srun passes the caller's environment on),
 * never its command line, so `ps` on any node does not show it. A connection whose first frame is not
 * a hello with the secret is refused and logged (a `warning` event), as is one beyond the step's
 * task count. The coordinator listens only on the address given.
 *
 * Hosts are bound to connections in the order they connect (host ids and Slurm task ranks need not
 * agree). A task that never connects fails its host when srun ends or after `startTimeoutMs`; a
 * connection that closes without a "bye" fails its host (the pool then marks it lost). A step cannot
 * grow, so `launch` answers undefined once every task has a host: a lost host is not replaced.
 *
 * It does not place units, retry groups or read refs (the pool and the group loop do).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as Comlink from 'comlink';
import type { Emit } from '../../lib/events.ts';
import type { HostLauncher, LaunchedHost } from '../cluster/host-launcher.ts';
import type { CoordinatorApi, HostApi, HostConfig } from '../cluster/protocol.ts';
import { Channel, FramedSocket } from './framed-socket.ts';
import { checkHello, hostEnv, newRunSecret, type HostHello } from './host-hello.ts';
import { LateEndpoint } from './late-endpoint.ts';

export interface SlurmLauncherOptions {
  readonly tasks: number;
  readonly nodes: number | undefined;
  readonly partition: string | undefined;
  /** More srun arguments (placed before the program). */
  readonly srunArgs: readonly string[];
  /** The srun program. */
  readonly srun: string;
  /** Address the coordinator listens on. */
  readonly listen: string;
  readonly heartbeatMs: number;
  readonly heartbeatTimeoutMs: number;
  /** How long a task may take to connect (an allocation may queue). */
  readonly startTimeoutMs: number;
  readonly emit: Emit;
}

/** Warning code of a refused connection. */
export const refusedCode = 'SKY_HOST_REFUSED';
/** Largest frame a connection may send before it has authenticated. */
const helloFrameBytes = 64 * 1024;
const afterHelloFrameBytes = 2 ** 32 - 1;
const helloTimeoutMs = 10_000;
/** How long `close` lets hosts that were shut down end before it drops every connection. */
const byeGraceMs = 1_000;
/** How long `close` then waits for srun to end before signalling it. */
const srunGraceMs = 10_000;

interface Slot {
  readonly config: HostConfig;
  readonly toHost: LateEndpoint;
  readonly toCoordinator: LateEndpoint;
  readonly fail: (error: Error) => void;
  readonly attach: (socket: FramedSocket, hello: HostHello) => void;
  /** Bound to a connection, or failed before one came. */
  attached: boolean;
}

export class SlurmLauncher implements HostLauncher {
  readonly hosts: number;
  readonly #options: SlurmLauncherOptions;
  readonly #server: Server;
  readonly #secret: string;
  readonly #slots: Slot[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #srun: ChildProcess;
  readonly #srunEnded: Promise<void>;
  readonly #startTimer: NodeJS.Timeout;
  #srunExit: string | undefined;

  /** Listens, then starts the srun step. Rejects if the address cannot be listened on. */
  static async start(options: SlurmLauncherOptions): Promise<SlurmLauncher> {
    const server = createServer();
    server.listen({ host: options.listen, port: 0 });
    await once(server, 'listening');
    return new SlurmLauncher(options, server);
  }

  private constructor(options: SlurmLauncherOptions, server: Server) {
    this.hosts = options.tasks;
    this.#options = options;
    this.#server = server;
    this.#secret = newRunSecret();
    server.on('connection', (socket) => this.#accept(socket));
    const { address, port } = server.address() as AddressInfo;
    const env = {
      ...process.env,
      [hostEnv.coordinator]: `${address.includes(':') ? `[${address}]` : address}:${port}`,
      [hostEnv.secret]: this.#secret,
      [hostEnv.heartbeatMs]: String(options.heartbeatMs),
      [hostEnv.timeoutMs]: String(options.heartbeatTimeoutMs),
    };
    this.#srun = spawn(options.srun, this.#srunArgs(), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // The tasks' output goes to this process's stderr: stdout is the caller's (e.g. `--json`).
    this.#srun.stdout?.pipe(process.stderr, { end: false });
    this.#srun.stderr?.pipe(process.stderr, { end: false });
    this.#srunEnded = new Promise((resolve) => {
      this.#srun.on('error', (error) => this.#onSrunEnd(`srun could not be started (${error.message}); is Slurm installed and SLURM_CONF set?`, resolve));
      this.#srun.on('exit', (code, signal) => this.#onSrunEnd(`srun ended (${signal ?? `exit code ${code}`})`, resolve));
    });
    this.#startTimer = setTimeout(() => this.#failUnattached(`no task connected within ${Math.round(options.startTimeoutMs / 1000)} s`), options.startTimeoutMs);
    this.#startTimer.unref();
  }

  launch(config: HostConfig, coordinator: CoordinatorApi): LaunchedHost | undefined {
    if (this.#slots.length >= this.hosts) return undefined;
    const toHost = new LateEndpoint();
    const toCoordinator = new LateEndpoint();
    Comlink.expose(coordinator, toCoordinator);
    const api = Comlink.wrap<HostApi>(toHost);
    let settle!: { resolve: (v: unknown) => void; reject: (e: Error) => void };
    const ended = new Promise<unknown>((resolve, reject) => (settle = { resolve, reject }));
    const slot: Slot = {
      config,
      toHost,
      toCoordinator,
      attached: false,
      fail: (error) => settle.reject(error),
      attach: (socket, hello) => {
        slot.attached = true;
        socket.send(Channel.Config, config);
        toHost.attach(socket, Channel.ToHost);
        toCoordinator.attach(socket, Channel.ToCoordinator);
        let bye = false;
        socket.on(Channel.Bye, () => (bye = true));
        closers.set(socket, (error) => {
          const where = `Slurm task ${hello.task} (pid ${hello.pid} on ${hello.node})`;
          if (bye && !error) settle.resolve(hello.task);
          else settle.reject(new Error(`${where} ${error ? `dropped: ${error.message}` : 'closed its connection'}`));
        });
      },
    };
    const closers = this.#closers;
    this.#slots.push(slot);
    if (this.#srunExit) slot.fail(new Error(`${this.#srunExit} before its task connected`));
    return { api, links: [toHost, toCoordinator], ended };
  }

  async close(): Promise<void> {
    clearTimeout(this.#startTimer);
    this.#failUnattached('the run ended');
    const srunEnds = (ms: number) => Promise.race([this.#srunEnded.then(() => true), delay(ms).then(() => false)]);
    // Hosts that answered `shutdown` end by themselves at once; a host still busy (the pool does not
    // ask those) exits when its connection drops; srun is signalled only if that is not enough.
    if (!(await srunEnds(byeGraceMs))) {
      for (const socket of this.#sockets) socket.destroy();
      if (!(await srunEnds(srunGraceMs))) {
        this.#srun.kill('SIGTERM'); // srun passes it to the tasks and ends the step
        if (!(await srunEnds(srunGraceMs))) this.#srun.kill('SIGKILL');
      }
    }
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  readonly #closers = new Map<FramedSocket, (error: Error | undefined) => void>();

  #srunArgs(): string[] {
    const { tasks, nodes, partition, srunArgs } = this.#options;
    const entry = fileURLToPath(new URL('./host-process.mjs', import.meta.url));
    return [
      `--ntasks=${tasks}`,
      ...(nodes === undefined ? [] : [`--nodes=${nodes}`]),
      ...(partition === undefined ? [] : [`--partition=${partition}`]),
      '--kill-on-bad-exit=0', // a task that dies fails only its own units
      '--job-name=skyloom',
      ...srunArgs,
      process.execPath,
      entry,
    ];
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    const framed: FramedSocket = new FramedSocket(socket, {
      heartbeatMs: this.#options.heartbeatMs,
      timeoutMs: this.#options.heartbeatTimeoutMs,
      maxFrameBytes: helloFrameBytes,
      onClose: (error) => {
        const closer = this.#closers.get(framed);
        this.#closers.delete(framed);
        if (closer) closer(error);
        else if (!authenticated) this.#refuse(framed, error ? `it failed before saying hello: ${error.message}` : 'it closed before saying hello');
      },
    });
    let authenticated = false;
    const timer = setTimeout(() => framed.destroy(new Error(`no hello within ${helloTimeoutMs / 1000} s`)), helloTimeoutMs);
    timer.unref();
    // The first frame must be the hello: anything sent on another channel before it waits unread.
    void framed.once(Channel.Hello).then((message) => {
      clearTimeout(timer);
      const hello = checkHello(message, this.#secret);
      if (!hello) return framed.destroy(new Error('its hello did not carry the run secret'));
      const slot = this.#slots.find((s) => !s.attached);
      if (!slot) return framed.destroy(new Error('every host of the run is already connected'));
      authenticated = true;
      framed.allowFrames(afterHelloFrameBytes);
      slot.attach(framed, hello);
    });
  }

  #refuse(framed: FramedSocket, reason: string): void {
    this.#options.emit({ type: 'warning', path: 'root', code: refusedCode, message: `refused a connection from ${framed.remoteAddress}: ${reason}` });
  }

  #onSrunEnd(reason: string, resolve: () => void): void {
    this.#srunExit ??= reason;
    this.#failUnattached(`${reason} before its task connected`);
    resolve();
  }

  #failUnattached(reason: string): void {
    for (const slot of this.#slots) {
      if (slot.attached) continue;
      slot.attached = true; // a task connecting later finds no place
      slot.fail(new Error(`Slurm host ${slot.config.hostId}: ${reason}`));
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
