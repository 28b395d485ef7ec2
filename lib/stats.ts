import type { Primitive } from './primitive.ts';

export interface RunStats {
  /** Coroutines started, the root included. */
  readonly units: number;
  readonly primitives: Readonly<Record<Primitive['kind'], number>>;
  /** Collectives completed (one per group per gather number). */
  readonly collectives: number;
  /** Most bytes the store held at once (summed over stores, for runners with several). */
  readonly peakStoreBytes: number;
  readonly wallMs: number;
}

/** Counters a runner bumps while it works. Never throws. */
export class StatsRecorder {
  units = 0;
  collectives = 0;
  peakStoreBytes = 0;
  readonly primitives: Record<Primitive['kind'], number> = { put: 0, get: 0, scatter: 0, gather: 0 };
  readonly #t0 = performance.now();

  snapshot(): RunStats {
    return {
      units: this.units,
      primitives: { ...this.primitives },
      collectives: this.collectives,
      peakStoreBytes: this.peakStoreBytes,
      wallMs: performance.now() - this.#t0,
    };
  }
}
