import type { CoordinatorApi, HostConfig } from '../../runners/cluster/protocol.ts';
import type { HostLauncher, LaunchedHost } from '../../runners/cluster/host-launcher.ts';
import { ThreadLauncher, type ThreadLauncherOptions } from '../../runners/cluster/thread-launcher.ts';

/**
 * Worker threads kept from one cluster run to the next, for the property suite's many small runs:
 * starting a thread (tsx, skyloom's modules, the interpreter) costs one to three seconds on a loaded
 * 2-core machine, while a generated program runs in tens of milliseconds on warm threads. Each run
 * still opens its own hosts (`Host.open`: a fresh store, spill directory and units), one piscina task
 * per host, and shuts them down at its end; only the threads and the modules they loaded outlive it.
 *
 * One set of `mostWorkers` threads serves every worker count: a host task holds its thread for the
 * whole run (one task per thread), so a run of w hosts occupies w of them and the rest sit idle.
 *
 * A run that ends with a host still running (the pool does not ask a busy host to shut down: a doomed
 * member's step left running after its group failed) would hold its thread for good, so then every
 * thread is terminated, as the cluster runner does after each run, and the next run starts fresh ones.
 *
 * It does not cover thread start-up and termination themselves (`test/runners/cluster/` does).
 */
class KeptThreads {
  readonly #options: ThreadLauncherOptions;
  #threads: ThreadLauncher | undefined;
  /** Settles when each host of the current run has ended. */
  #running: Promise<unknown>[] = [];
  /** Runs after which the threads had to be terminated (a host was still running). */
  restarts = 0;

  constructor(options: ThreadLauncherOptions) {
    this.#options = options;
  }

  launch(config: HostConfig, coordinator: CoordinatorApi): LaunchedHost {
    this.#threads ??= new ThreadLauncher(this.#options);
    const launched = this.#threads.launch(config, coordinator);
    this.#running.push(launched.ended.catch(() => {}));
    return launched;
  }

  /** After a run: keeps the threads when every host ended (after its `shutdown`) within `endGraceMs`; else terminates them. */
  async afterRun(): Promise<void> {
    const running = this.#running;
    this.#running = [];
    const ended = await Promise.race([Promise.all(running).then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, endGraceMs, false).unref())]);
    if (ended) return;
    this.restarts++;
    await this.terminate();
  }

  async terminate(): Promise<void> {
    const threads = this.#threads;
    this.#threads = undefined;
    await threads?.close();
  }
}

/**
 * How long after the pool's close a run's hosts may take to end. They end within ~10 ms of their
 * `shutdown` answer even at a load average of 12 on 2 cores; a host left busy never ends (seen: a
 * member's step left unanswered after its group failed), so waiting longer only delays the restart.
 */
const endGraceMs = 300;

/** The most workers a generated cluster configuration has (`runner-configs.ts`). */
export const mostWorkers = 3;

const kept = new Map<string, KeptThreads>();

/** A launcher of `options.workers` hosts on the kept threads; for `clusterRunnerWith`'s `launcher` hook. */
export function reusedThreads(options: ThreadLauncherOptions): HostLauncher {
  if (options.workers > mostWorkers) throw new Error(`reusedThreads keeps ${mostWorkers} threads, not ${options.workers}`);
  const shared = { ...options, workers: mostWorkers };
  const key = JSON.stringify(shared);
  let threads = kept.get(key);
  if (!threads) kept.set(key, (threads = new KeptThreads(shared)));
  const chosen = threads;
  return { hosts: options.workers, launch: (config, coordinator) => chosen.launch(config, coordinator), close: () => chosen.afterRun() };
}

/** Terminates every kept thread (after a file's properties); returns how many runs forced a restart. */
export async function terminateReusedThreads(): Promise<number> {
  const all = [...kept.values()];
  kept.clear();
  await Promise.all(all.map((threads) => threads.terminate()));
  return all.reduce((sum, threads) => sum + threads.restarts, 0);
}
