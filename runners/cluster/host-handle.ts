/**
 * The coordinator's side of one worker host: its comlink proxy, its load (units placed there that
 * are not waiting at a scatter) and whether it is lost. comlink leaves calls pending forever when the
 * other thread dies, so every call races the host's loss and rejects with `SKY_HOST_LOST` instead.
 * Each answer's events go to the run's event stream and its counters to the run's stats. Units that
 * wait on the host with no call in flight (at a gather, or at a scatter while their children run)
 * learn of its loss through `watchLoss`, as no call of theirs would reject.
 *
 * It does not start or stop threads (the pool does) and does not decide what a loss means for units.
 */
import type * as Comlink from 'comlink';
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import type { Emit } from '../../lib/events.ts';
import type { StatsRecorder } from '../../lib/stats.ts';
import type { HostGauge } from './host-gauge.ts';
import type { HostLink, LaunchedHost } from './host-launcher.ts';
import type { HostAnswer, HostApi } from './protocol.ts';
import { StepBatch, type PendingStep } from './step-batch.ts';
import { HostStepWatch } from './step-watchdog.ts';
import { HostEventReader } from './wire-events.ts';

/** Where hosts' reports go: the run's `emit` and stats. */
export interface HostSink {
  readonly emit: Emit;
  readonly stats: StatsRecorder;
  /** Receives a budgeted host's resident bytes by root child with each answer (`admission.ts`). */
  readonly resident?: (host: number, byRootChild: Readonly<Record<string, number>>) => void;
}

export class HostHandle {
  readonly id: number;
  /** Units placed here that are running or waiting at a gather (the placement's measure of work). */
  load = 0;
  /** Most bytes the host's store held at once, as last reported. */
  peakBytes = 0;
  readonly #api: Comlink.Remote<HostApi>;
  readonly #ports: readonly HostLink[];
  readonly #sink: HostSink;
  readonly #onLost: (host: HostHandle) => void;
  readonly #lostSignal: Promise<never>;
  readonly #lossWatchers = new Set<(lost: SkyloomError) => void>();
  #reject!: (error: SkyloomError) => void;
  #lost: SkyloomError | undefined;
  /** Shared memory the host keeps current (worker threads only). */
  readonly gauge: HostGauge | undefined;
  readonly #terminate: (() => Promise<void>) | undefined;
  /** The work the host was stopped for, and the error that work fails with (given its unit path). */
  #culprit: { readonly token: number; readonly failure: (path: string) => SkyloomError } | undefined;
  #calls = 0;
  /** The host's events arrive compact, against a string table built answer by answer. */
  readonly #events = new HostEventReader();
  /** Times the steps running here against their step timeout (`step-watchdog.ts`). */
  readonly stepWatch: HostStepWatch = new HostStepWatch(this);
  readonly #steps = new StepBatch((requests) => this.call((api) => api.steps(requests)));

  constructor(id: number, launched: LaunchedHost, sink: HostSink, onLost: (host: HostHandle) => void) {
    this.id = id;
    this.#api = launched.api;
    this.#ports = launched.links;
    this.gauge = launched.gauge;
    this.#terminate = launched.terminate?.bind(launched);
    this.#sink = sink;
    this.#onLost = onLost;
    this.#lostSignal = new Promise<never>((_, reject) => (this.#reject = reject));
    this.#lostSignal.catch(() => {}); // observed by calls that race it
  }

  /** The error the host was lost with, if it was. */
  get lost(): SkyloomError | undefined {
    return this.#lost;
  }

  /**
   * True while a call to the host is unanswered. At the end of a run that is work nobody waits for
   * (a step or central function left running when its group failed).
   */
  get busy(): boolean {
    return this.#calls > 0;
  }

  /**
   * Calls `listener` once when the host is lost (at once, synchronously, if it already is); returns a
   * function that stops watching.
   */
  watchLoss(listener: (lost: SkyloomError) => void): () => void {
    if (this.#lost) {
      listener(this.#lost);
      return () => {};
    }
    this.#lossWatchers.add(listener);
    return () => this.#lossWatchers.delete(listener);
  }

  /**
   * Runs a unit step on the host, sent with the other steps asked of this host in the same turn (one
   * message per host per phase); its pause goes to `step.resolve`, or `SKY_HOST_LOST` to `step.reject`
   * if the host is or gets lost.
   */
  step(step: PendingStep): void {
    this.#steps.step(step);
  }

  /** Calls the host and reports its answer's events and stats. Rejects with `SKY_HOST_LOST` if the host is or gets lost. */
  async call<T>(invoke: (api: Comlink.Remote<HostApi>) => Promise<HostAnswer<T>>): Promise<T> {
    const answer = await this.raw(invoke);
    this.#events.emit(answer.events, this.#sink.emit);
    const { stats } = this.#sink;
    stats.units += answer.stats.units;
    for (const kind of Object.keys(stats.primitives) as (keyof typeof stats.primitives)[]) stats.primitives[kind] += answer.stats.primitives[kind];
    stats.peakStepBytes = Math.max(stats.peakStepBytes, answer.stats.peakStepBytes);
    this.peakBytes = Math.max(this.peakBytes, answer.peakBytes);
    if (answer.resident) this.#sink.resident?.(this.id, answer.resident);
    return answer.result;
  }

  /** Calls the host without an answer envelope (e.g. `read`). Rejects with `SKY_HOST_LOST` if the host is or gets lost. */
  async raw<T>(invoke: (api: Comlink.Remote<HostApi>) => Promise<T>): Promise<T> {
    if (this.#lost) throw this.#lost;
    this.#calls++;
    try {
      return await Promise.race([invoke(this.#api), this.#lostSignal]);
    } finally {
      this.#calls--;
    }
  }

  /**
   * Stops the host because of the work `token` names (`stepToken` of a unit's path, or of its central
   * call): a step over its timeout, a storm of buffer memory. That work's unit fails with
   * `failure(its path)` (`culpritError`); the host is lost with `failure()` as the cause, so its other
   * units fail with `SKY_HOST_LOST` as after any loss, and no call to it stays pending. Its thread is
   * terminated where the launcher can (a thread cannot be interrupted, but it can be ended). Idempotent.
   */
  stop(token: number | undefined, failure: (path?: string) => SkyloomError): void {
    if (this.#lost) return;
    if (token !== undefined) this.#culprit = { token, failure };
    this.markLost(failure());
    void this.#terminate?.();
  }

  /** The error the unit at `path` fails with if the host was stopped because of its work `token`. */
  culpritError(token: number, path: string): SkyloomError | undefined {
    return this.#culprit?.token === token ? this.#culprit.failure(path) : undefined;
  }

  /** Marks the host lost (its thread died or was stopped): pending and later calls reject. Idempotent. */
  markLost(cause: unknown): void {
    if (this.#lost) return;
    const reason = cause instanceof Error ? cause.message : String(cause);
    this.#lost = new SkyloomError(ErrorCode.HostLost, `worker host ${this.id} was lost: ${reason}`, { cause });
    this.#reject(this.#lost);
    for (const port of this.#ports) port.close();
    const watchers = [...this.#lossWatchers];
    this.#lossWatchers.clear();
    for (const watcher of watchers) watcher(this.#lost);
    this.#onLost(this);
  }
}
