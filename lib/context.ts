/** The first argument of every algorithm: who this coroutine is, and its only sources of randomness and cancellation. */
export interface Context {
  /** The deterministic unit path, e.g. `root/visit:3/sensor:17`. */
  readonly path: string;
  /** Position within the group created by one `scatter` (0 for the root). */
  readonly index: number;
  /** Number of members of that group (1 for the root). */
  readonly size: number;
  /** Aborted when the unit is cancelled (a sibling failed, or the run was stopped). */
  readonly signal: AbortSignal;
  /** A uniform number in [0, 1) from a PRNG seeded by the run seed and the unit path. */
  random(): number;
  /** Emits a `log` event tagged with the unit path. */
  log(...args: unknown[]): void;
}
