/**
 * Gathers the unit steps the coordinator asks of one host within one turn of the event loop into one
 * `steps` call. The group loop starts every member's phase at once (one `toCollective` per member,
 * all in the same synchronous loop), so a phase costs one message each way per host instead of one
 * per member: with 1,024 members of 64×64 pixels on 2 hosts, per-member messages (a structured clone
 * of the request, the answer with its events, a comlink id, a promise each) were most of the step.
 *
 * Each step still resolves on its own, with its own pause, when the batch's answer arrives; a lost
 * host rejects every step of the batch. A host may answer the first steps of a batch early (after one
 * that reached a gather with a quorum or deadline, whose arrival time matters: `Host.steps`): the
 * rest is sent again as a batch of its own. It does not decide what a pause means, nor retry anything.
 */
import type { StepRequest, WirePause } from './protocol.ts';

/** One queued step and what its answer goes to (callbacks, not a promise: the caller makes the one promise a step needs). */
export interface PendingStep {
  readonly request: StepRequest;
  readonly resolve: (pause: WirePause) => void;
  readonly reject: (error: unknown) => void;
}

export class StepBatch {
  readonly #send: (requests: readonly StepRequest[]) => Promise<WirePause[]>;
  #pending: PendingStep[] = [];

  /** `send` carries one batch to the host and answers its pauses in request order. */
  constructor(send: (requests: readonly StepRequest[]) => Promise<WirePause[]>) {
    this.#send = send;
  }

  /** Queues one step; the batch leaves once the current synchronous run of code (and its microtasks) is done. */
  step(step: PendingStep): void {
    this.#pending.push(step);
    if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    this.#sendBatch(batch);
  }

  #sendBatch(batch: readonly PendingStep[]): void {
    this.#send(batch.map((p) => p.request)).then(
      (pauses) => {
        pauses.forEach((pause, k) => batch[k]?.resolve(pause));
        if (pauses.length < batch.length) this.#sendBatch(batch.slice(pauses.length)); // answered early: the rest again
      },
      (error: unknown) => batch.forEach((p) => p.reject(error)),
    );
  }
}
