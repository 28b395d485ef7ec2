import type { Primitive } from './primitive.ts';

export interface RunStats {
  /** Coroutines started, the root included. */
  readonly units: number;
  readonly primitives: Readonly<Record<Primitive['kind'], number>>;
  /** Collectives completed (one per group per gather number). */
  readonly collectives: number;
  /** Most bytes the store held at once (summed over stores, for runners with several). */
  readonly peakStoreBytes: number;
  /**
   * Most bytes one step of one unit had in hand at once: the values it got, took or put in that step
   * and its scratch arrays (what a budget must leave room for beside the store's cache).
   */
  readonly peakStepBytes: number;
  readonly wallMs: number;
}

/** Counters a runner bumps while it works. Never throws. */
export class StatsRecorder {
  units = 0;
  collectives = 0;
  peakStoreBytes = 0;
  peakStepBytes = 0;
  readonly primitives: Record<Primitive['kind'], number> = { put: 0, get: 0, scratch: 0, scatter: 0, gather: 0 };
  readonly #t0 = performance.now();

  snapshot(): RunStats {
    return {
      units: this.units,
      primitives: { ...this.primitives },
      collectives: this.collectives,
      peakStoreBytes: this.peakStoreBytes,
      peakStepBytes: this.peakStepBytes,
      wallMs: performance.now() - this.#t0,
    };
  }
}
