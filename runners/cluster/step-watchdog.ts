/**
 * Times one call on a worker host — a unit's step, or the central function a unit holds — against the
 * step timeout, and stops the host when it runs over: a thread cannot be interrupted, but it can be
 * terminated. The unit then fails with `SKY_STEP_TIMEOUT` (its path, the limit, the time it ran); the
 * host's other units are lost with it, as after any host loss (`HostHandle.stop`), and the pool
 * starts a replacement. This ends a `for(;;){}`, a `for(;;) await sleep(1000)` and a promise that never
 * settles alike.
 *
 * A step is timed from when the host starts it (the host's gauge says so), not from the call: steps
 * queue on a host, and a step waiting behind another's is not running. A central function is timed
 * from the call, except while a step runs on its host (it cannot start before a busy thread is free).
 * Without a gauge (a Slurm host process) both are timed from the call. Loading a unit's module is
 * not timed (a host's first step waits for the thread's imports): a module whose top-level code never
 * ends is not caught.
 *
 * Steps are timed per host with one timer (`HostStepWatch`), central functions one call at a time
 * (`watchCall`). It does not decide what the unit's failure means for its group (the group loop does).
 */
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';
import { stepToken } from './host-gauge.ts';
import type { HostHandle } from './host-handle.ts';

/** Longest wait between two looks at a host whose step has not started yet. */
const recheckMs = 1_000;

/** What is timed: a unit's step from `site`, or its central function. */
export interface TimedCall {
  readonly path: string;
  readonly site: string;
  readonly kind: 'step' | 'central';
}

/** The gauge token of a timed call: what `HostHandle.culpritError` is asked about. */
export function callToken(call: Pick<TimedCall, 'path' | 'kind'>): number {
  return stepToken(call.kind === 'step' ? call.path : `${call.path}#central`);
}

/** Starts timing `call` on `host`; the returned function stops (call it when the call settles). */
export function watchCall(host: HostHandle, call: TimedCall, limitMs: number): () => void {
  const calledAt = Date.now();
  const token = callToken(call);
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number): void => {
    timer = setTimeout(check, Math.max(1, ms));
    timer.unref();
  };
  const check = (): void => {
    if (host.lost) return;
    const now = Date.now();
    const running = host.gauge?.runningStep();
    let startedAt = calledAt;
    if (host.gauge && call.kind === 'step') {
      // Not started: queued, or its host still starting (or answered: the answer is on its way).
      if (running?.token !== token) return arm(Math.min(limitMs, recheckMs));
      startedAt = running.startedAt;
    } else if (running) {
      return arm(Math.min(limitMs, recheckMs)); // a central cannot start while a step holds the thread
    }
    const elapsed = now - startedAt;
    if (elapsed < limitMs) return arm(limitMs - elapsed);
    const error = stepTimedOut(call, limitMs, elapsed, host.id);
    host.stop(token, () => error);
  };
  arm(limitMs);
  return () => clearTimeout(timer);
}

interface WatchedStep {
  readonly call: TimedCall;
  readonly token: number;
  readonly calledAt: number;
}

/**
 * Times every step call on one host against a limit with one timer, not one per call: a phase sends
 * a host thousands of steps at once (measured: a timer armed and cleared per member step was ~3% of
 * the coordinator's busy time at N=10,000, and its closures and timer objects lived as long as the
 * phase). What is timed is what `watchCall` times: the step the host's gauge says is running, from
 * when it started (without a gauge, the oldest call from when it was made). Only one step runs on a
 * host at a time, so one timer, armed for the running step's deadline or to look again soon, finds
 * any step that runs over.
 */
export class HostStepWatch {
  readonly #host: HostHandle;
  /** Calls being timed, by limit (a scatter may give its groups their own), in the order they were made. */
  readonly #byLimit = new Map<number, { readonly steps: Set<WatchedStep>; timer: NodeJS.Timeout | undefined }>();

  constructor(host: HostHandle) {
    this.#host = host;
  }

  /** Starts timing a step `call` against `limitMs`; the returned function stops (call it when the call settles). */
  watch(call: TimedCall, limitMs: number): () => void {
    let group = this.#byLimit.get(limitMs);
    if (!group) {
      group = { steps: new Set(), timer: undefined };
      this.#byLimit.set(limitMs, group);
      this.#arm(limitMs, limitMs);
    }
    const step: WatchedStep = { call, token: callToken(call), calledAt: Date.now() };
    const timed = group;
    timed.steps.add(step);
    return () => {
      timed.steps.delete(step);
      if (timed.steps.size > 0 || this.#byLimit.get(limitMs) !== timed) return;
      clearTimeout(timed.timer);
      this.#byLimit.delete(limitMs);
    };
  }

  #arm(limitMs: number, ms: number): void {
    const group = this.#byLimit.get(limitMs);
    if (!group) return;
    group.timer = setTimeout(() => this.#check(limitMs), Math.max(1, ms));
    group.timer.unref();
  }

  #check(limitMs: number): void {
    const host = this.#host;
    const steps = this.#byLimit.get(limitMs)?.steps;
    if (!steps || host.lost) return;
    const now = Date.now();
    let culprit: WatchedStep | undefined;
    let startedAt: number;
    if (host.gauge) {
      // Not started: queued, or its host still starting (or answered: the answer is on its way).
      const running = host.gauge.runningStep();
      for (const step of steps) if (step.token === running?.token) culprit = step;
      if (!culprit || !running) return this.#arm(limitMs, Math.min(limitMs, recheckMs));
      startedAt = running.startedAt;
    } else {
      culprit = steps.values().next().value as WatchedStep;
      startedAt = culprit.calledAt;
    }
    const elapsed = now - startedAt;
    if (elapsed < limitMs) return this.#arm(limitMs, limitMs - elapsed);
    const error = stepTimedOut(culprit.call, limitMs, elapsed, host.id);
    host.stop(culprit.token, () => error);
  }
}

function stepTimedOut(call: TimedCall, limitMs: number, elapsedMs: number, hostId: number): SkyloomError {
  const what = call.kind === 'step' ? `step from ${call.site}` : `central function at ${call.site}`;
  const message =
    `unit ${call.path}'s ${what} ran ${elapsedMs} ms, over the step timeout of ${limitMs} ms: ` +
    `worker host ${hostId} was terminated and is replaced (a thread cannot be interrupted, only ended)`;
  return new SkyloomError(ErrorCode.StepTimeout, message, { unitPath: call.path, site: call.kind === 'step' ? call.site : 'central' });
}
