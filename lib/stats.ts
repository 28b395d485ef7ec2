import type { Primitive } from './primitive.ts';

/** What `RunStats.primitives` counts: each primitive kind, with `take` (a `get` op with `take`) apart. */
export type PrimitiveCount = Primitive['kind'] | 'take';

export interface RunStats {
  /** Coroutines started, the root included. */
  readonly units: number;
  /** Primitives carried out, by kind; a `take` counts as a take, not a get. */
  readonly primitives: Readonly<Record<PrimitiveCount, number>>;
  /** Collectives completed (one per group per gather number). */
  readonly collectives: number;
  /** Most bytes the store held at once (summed over stores, for runners with several). */
  readonly peakStoreBytes: number;
  /**
   * Most bytes one step of one unit had in hand at once: the values it got, took or put in that step
   * and its scratch arrays (what a budget must leave room for beside the store's cache).
   */
  readonly peakStepBytes: number;
  /** Bytes written to spill files (sum of the `spill-out` events' bytes; 0 without a memory budget). */
  readonly spilledBytes: number;
  /** Bytes read back from spill files (sum of the `spill-in` events' bytes). */
  readonly readBackBytes: number;
  readonly wallMs: number;
}

/** Counters a runner bumps while it works (spill bytes are counted from the run's events by `start`). Never throws. */
export class StatsRecorder {
  units = 0;
  collectives = 0;
  peakStoreBytes = 0;
  peakStepBytes = 0;
  spilledBytes = 0;
  readBackBytes = 0;
  readonly primitives: Record<PrimitiveCount, number> = { put: 0, get: 0, take: 0, scratch: 0, scatter: 0, gather: 0 };
  readonly #t0 = performance.now();

  snapshot(): RunStats {
    return {
      units: this.units,
      primitives: { ...this.primitives },
      collectives: this.collectives,
      peakStoreBytes: this.peakStoreBytes,
      peakStepBytes: this.peakStepBytes,
      spilledBytes: this.spilledBytes,
      readBackBytes: this.readBackBytes,
      wallMs: performance.now() - this.#t0,
    };
  }
}
