import { forceGc } from './force-gc.ts';

/**
 * When a budgeted store forces garbage collections, so that the memory it let go of (values dropped
 * to disk, entries freed) leaves the process, not only its accounting. Part of the store's POLICY
 * (`MemoryPolicy` owns one); the mechanism it measures is the store's resident and disk bytes.
 *
 * Why at all: V8 collects on its own only when ~64 MB of ArrayBuffers have piled up since its last
 * full collection, so with a budget of a few tens of MB the garbage, not the store, would make the
 * peak RSS. Why two kinds: a full collection costs ~5 ms here whatever it frees (it marks the whole
 * heap), a young-generation one ~0.1 ms, and most dropped pixels die young — a read-back copy or a
 * new version lives a step or two, and nothing else holds them (the spill codec makes sure V8's
 * serializer does not). So:
 *
 * - at a step's start, once the store let go of `collectAfter` × budget (floor `collectMinBytes`)
 *   since the last collection, it runs a *young* one; within a step only once it let go of
 *   `collectWithinStep` × budget. Why at step starts: a young collection ages everything alive, and
 *   what survives two is promoted; a read-back copy or a new version lives about two steps, so one
 *   young collection per step lets them die young, two per step would promote them;
 * - it runs a *full* one instead when the garbage it can measure — ArrayBuffer bytes in the process
 *   (`process.memoryUsage().arrayBuffers`) beyond the store's resident bytes and beyond what was live
 *   outside the store right after the last full collection — exceeds `garbageAfter` × budget (buffers
 *   that outlived two young collections, promoted);
 * - in either mode, it runs a full one whenever the spill files on disk grew by `diskAfter` × budget
 *   since the last one, however little was let go of: only a full collection finds unreachable ref
 *   handles, whose files are then freed (and reused by the file pool). This is what bounds the disk
 *   when the store lets go of its memory itself (values put with `transfer`: not counted as let go).
 *
 * The measure is an estimate: a step holding more temporaries than at the last full collection looks
 * like garbage (one full collection too many, and a new baseline), one holding fewer hides as much.
 * `gc: null` forces none (V8 alone); without `youngGc` (the default) every forced collection is a full one.
 * `maybeCollect` never throws, even if an injected collector does.
 */
export interface CollectionOptions {
  /** Fraction of the budget let go of that triggers a collection. Default 0.25. */
  readonly collectAfter?: number;
  /** Floor of that threshold in bytes: a collection has a fixed cost whatever it frees. Default 4 MiB. */
  readonly collectMinBytes?: number;
  /** Fraction of the budget let go of within one step that triggers a collection before the step ends. Default 1. */
  readonly collectWithinStep?: number;
  /** Fraction of the budget of measured garbage that makes it a full collection. Default 0.25. */
  readonly garbageAfter?: number;
  /** Fraction of the budget the spill files may grow by between full collections. Default 2. */
  readonly diskAfter?: number;
  /** A full collection; default `forceGc()`; null forces no collections at all. */
  readonly gc?: (() => void) | null;
  /** A young-generation collection (e.g. `gc({ type: 'minor' })`); default none: every forced collection is full. */
  readonly youngGc?: (() => void) | null;
  /** ArrayBuffer bytes in the process; default `process.memoryUsage().arrayBuffers`. */
  readonly bufferBytes?: () => number;
}

/** Collections forced so far (`full` of them full) and the wall time they took. */
export interface CollectionStats {
  readonly count: number;
  readonly full: number;
  readonly ms: number;
}

export interface StoreBytes {
  resident(): number;
  disk(): number;
}

const MiB = 1024 * 1024;

export class CollectionRule {
  readonly #store: StoreBytes;
  readonly #onFull: () => void;
  readonly #releaseBytes: number;
  readonly #withinStepBytes: number;
  readonly #garbageBytes: number;
  readonly #diskBytes: number;
  readonly #full: (() => void) | undefined;
  readonly #young: (() => void) | undefined;
  readonly #bufferBytes: () => number;
  /** Bytes let go of since the last collection: garbage until one runs. */
  #released = 0;
  /** ArrayBuffer bytes outside the store right after the last full collection: live, not garbage. */
  #floor: number;
  #diskAtFull: number;
  #stats = { count: 0, full: 0, ms: 0 };

  /** `onFull` runs after each full collection (the store frees the refs it found unreachable); must not throw. */
  constructor(budget: number, store: StoreBytes, options: CollectionOptions, onFull: () => void) {
    this.#store = store;
    this.#onFull = onFull;
    this.#releaseBytes = Math.max((options.collectAfter ?? 0.25) * budget, options.collectMinBytes ?? 4 * MiB);
    this.#withinStepBytes = Math.max((options.collectWithinStep ?? 1) * budget, this.#releaseBytes);
    this.#garbageBytes = (options.garbageAfter ?? 0.25) * budget;
    this.#diskBytes = (options.diskAfter ?? 2) * budget;
    this.#full = options.gc === null ? undefined : (options.gc ?? forceGc());
    // Off by default: V8 promotes 16 MiB buffers itself (it scavenges whenever young backing stores pass
    // 32 MB), so young collections bought no speed on bench/laptop and cost ~45 MiB of peak RSS.
    this.#young = this.#full === undefined || !options.youngGc ? undefined : options.youngGc;
    this.#bufferBytes = options.bufferBytes ?? (() => process.memoryUsage().arrayBuffers);
    this.#floor = this.#outside();
    this.#diskAtFull = store.disk();
  }

  get stats(): CollectionStats {
    return { ...this.#stats };
  }

  /** The store let go of `bytes` of resident memory. */
  released(bytes: number): void {
    this.#released += bytes;
  }

  /**
   * Runs a collection if enough was let go of since the last one (`atStepStart`: a step is about to
   * run; otherwise within one); a full one if garbage or disk say so. Never throws.
   */
  maybeCollect(atStepStart: boolean): void {
    if (this.#full === undefined) return;
    const diskGrew = this.#diskGrew();
    if (!diskGrew && this.#released < (atStepStart ? this.#releaseBytes : this.#withinStepBytes)) return;
    this.#released = 0; // what a full collection frees now (onFull) is garbage for the next one
    const t0 = performance.now();
    if (this.#young && !diskGrew) run(this.#young);
    if (!this.#young || diskGrew || this.#needsFull()) {
      run(this.#full);
      this.#onFull();
      this.#stats.full++;
      this.#floor = this.#outside();
      this.#diskAtFull = this.#store.disk();
    }
    this.#stats.count++;
    this.#stats.ms += performance.now() - t0;
  }

  #needsFull(): boolean {
    return this.#outside() - this.#floor > this.#garbageBytes;
  }

  /** Only a full collection finds unreachable ref handles, whose files are then freed. */
  #diskGrew(): boolean {
    return this.#store.disk() - this.#diskAtFull > this.#diskBytes;
  }

  #outside(): number {
    return this.#bufferBytes() - this.#store.resident();
  }
}

function run(collect: () => void): void {
  try {
    collect();
  } catch {
    // an injected collector failing must not fail a step: freeing then waits for V8, as without one
  }
}
