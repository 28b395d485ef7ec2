import { formatBytes } from './byte-size.ts';
import { ErrorCode, SkyloomError } from './errors.ts';
import { forceGc } from './force-gc.ts';
import type { SpillStore } from './spill-store.ts';

/**
 * The POLICY of a budgeted store: keeps `SpillStore.residentBytes` within the budget.
 *
 * - Eviction: least-recently-used first, never a ref a running step borrows (pinned). Clean entries
 *   (already on disk) are dropped at once; dirty ones are written first.
 * - Write-behind: after each put and step end, dirty entries are written (oldest first, a few at a time)
 *   until `headroom` of the budget is free or droppable at once, so a later put rarely waits for a write.
 * - Prefetch: when a unit begins a step, the refs it borrowed in its previous step are read back; so
 *   are those of the units that (last time) began right after it, into room that does not squeeze the
 *   running unit, so their reads overlap its compute. Prefetched entries are evicted last.
 * - Collection: once the store has let go of `collectAfter` of the budget (values dropped to disk,
 *   resident entries freed) since the last full garbage collection, it runs one before taking more
 *   memory (an admit, a prefetch read), then calls `onCollected` so the store frees the refs the
 *   collection found unreachable. Why: a dropped value's buffers, and the old versions a unit no longer
 *   reaches, stay in the process until V8 collects, and V8 waits for about 64 MB of dead ArrayBuffers
 *   before it does; a budget of a few MB would then be dwarfed by garbage. The store releases bytes at
 *   a rate tied to its budget, so a threshold tied to the budget bounds the garbage to a small multiple of it.
 *
 * Does not cover what a value is or how it is stored (mechanism: `SpillStore`), nor verification.
 * `admit` is the only method that throws/rejects; the others never throw.
 */
export interface MemoryPolicyOptions {
  readonly budget: number;
  /** Fraction of the budget write-behind keeps free or droppable at once. Default 0.5. */
  readonly headroom?: number;
  /** Most writes in flight from write-behind. Default 2. */
  readonly maxWrites?: number;
  /** How many units after the starting one to prefetch for. Default 2. */
  readonly lookahead?: number;
  /**
   * Run a full collection once bytes let go of since the last one (dropped or freed resident bytes)
   * reach this fraction of the budget. Default 0.25: garbage then stays within about half the budget
   * (a dropped value's buffers go in the collection after the next one, as node's serializer wrappers
   * hold them for one) instead of V8's fixed ~64 MB, at one collection (~5-15 ms) per quarter budget
   * let go of. Measured on bench/laptop (64 MiB budget): 0.25 reaches the peak RSS of a collection
   * after every store call; 0.5 and 1 cost half and a quarter as much and leave more garbage (1 about
   * as much as V8 alone). `Infinity` leaves collection to V8.
   */
  readonly collectAfter?: number;
  /**
   * Floor of that threshold in bytes: a collection costs milliseconds whatever it frees, so with a
   * tiny budget collecting every quarter budget would cost more than the disk I/O. Default 4 MiB.
   */
  readonly collectMinBytes?: number;
  readonly gc?: (() => void) | null;
}

/** Collections the policy ran, and the wall time they took. */
export interface CollectionStats {
  readonly count: number;
  readonly ms: number;
}

export class MemoryPolicy {
  readonly budget: number;
  readonly #spill: SpillStore;
  readonly #headroom: number;
  readonly #maxWrites: number;
  readonly #lookahead: number;
  /** Entry ids by last use, oldest first (a Map keeps insertion order). */
  readonly #lru = new Map<string, true>();
  readonly #pins = new Map<string, number>();
  /** Per unit: refs borrowed in the current step, in order, with their pin counts held. */
  readonly #borrowing = new Map<string, string[]>();
  readonly #previous = new Map<string, { ids: string[]; bytes: number }>();
  readonly #stepPutBytes = new Map<string, number>();
  readonly #prefetched = new Map<string, string>();
  readonly #successor = new Map<string, string>();
  readonly #collectBytes: number;
  readonly #gc: (() => void) | undefined;
  readonly #onCollected: () => void;
  #lastBegun: string | undefined;
  #writes = 0;
  /** Bytes dropped or freed from memory since the last collection: garbage until one runs. */
  #released = 0;
  #collections = 0;
  #collectMs = 0;

  /** `onCollected` runs after each collection (the store frees the refs it found unreachable); must not throw. */
  constructor(spill: SpillStore, options: MemoryPolicyOptions, onCollected: () => void = () => {}) {
    this.#spill = spill;
    this.budget = options.budget;
    this.#headroom = (options.headroom ?? 0.5) * options.budget;
    this.#maxWrites = options.maxWrites ?? 2;
    this.#lookahead = options.lookahead ?? 2;
    this.#collectBytes = Math.max((options.collectAfter ?? 0.25) * options.budget, options.collectMinBytes ?? 4 * 1024 * 1024);
    this.#gc = options.gc === null ? undefined : (options.gc ?? forceGc());
    this.#onCollected = onCollected;
  }

  /** How many collections this policy ran, and their total wall time (the collection and `onCollected`). */
  get collections(): CollectionStats {
    return { count: this.#collections, ms: this.#collectMs };
  }

  /** Marks `id` most recently used. */
  touch(id: string): void {
    this.#lru.delete(id);
    this.#lru.set(id, true);
  }

  /** The entry is being freed (call before `SpillStore.free`, so its resident bytes count as released). */
  forget(id: string): void {
    const state = this.#spill.state(id);
    if (state !== undefined && state !== 'spilled') this.#released += this.#spill.bytesOf(id);
    this.#lru.delete(id);
    this.#pins.delete(id);
    this.#prefetched.delete(id);
  }

  isPinned(id: string): boolean {
    return (this.#pins.get(id) ?? 0) > 0;
  }

  /** `path` borrows `id` until its step ends. */
  pin(path: string, id: string): void {
    let ids = this.#borrowing.get(path);
    if (!ids) this.#borrowing.set(path, (ids = []));
    ids.push(id);
    this.#pins.set(id, (this.#pins.get(id) ?? 0) + 1);
    this.#prefetched.delete(id);
  }

  /** `path` put `bytes` in this step (remembered to keep room for its next step when prefetching). */
  notePut(path: string, bytes: number): void {
    this.#stepPutBytes.set(path, (this.#stepPutBytes.get(path) ?? 0) + bytes);
  }

  /** Releases what `path` borrowed; returns the ids whose last pin this was. */
  endStep(path: string): string[] {
    const ids = this.#borrowing.get(path) ?? [];
    this.#borrowing.delete(path);
    const released: string[] = [];
    let bytes = this.#stepPutBytes.get(path) ?? 0;
    this.#stepPutBytes.delete(path);
    for (const id of ids) {
      const left = (this.#pins.get(id) ?? 1) - 1;
      if (left > 0) this.#pins.set(id, left);
      else {
        this.#pins.delete(id);
        released.push(id);
      }
    }
    const unique = [...new Set(ids)];
    for (const id of unique) bytes += this.#spill.bytesOf(id);
    this.#previous.set(path, { ids: unique, bytes });
    for (const [id, owner] of this.#prefetched) if (owner === path) this.#prefetched.delete(id);
    this.writeBehind();
    return released;
  }

  /**
   * Makes room for `bytes` more resident bytes, then runs `commit` synchronously (so nothing else takes
   * the room in between). Rejects with `SKY_MEMORY_BUDGET` when the pinned bytes leave no room, or with
   * the `SKY_SPILL_WRITE` of a write it waited for.
   */
  async admit<T>(bytes: number, path: string, commit: () => T): Promise<T> {
    if (bytes > this.budget) throw this.#budgetError(bytes, path, `a value of ${formatBytes(bytes)} (${bytes} bytes) is larger than the memory budget`);
    for (;;) {
      this.#maybeCollect(); // may free unreachable entries, making room without spilling
      if (this.#fits(bytes) || this.#dropClean(bytes)) {
        this.#maybeCollect(); // what the drops let go of goes before `commit` allocates (a read-back)
        return commit();
      }
      const waits = this.#startEvictionWrites(bytes);
      if (waits.length === 0) throw this.#budgetError(bytes, path, 'the steps running now pin too much');
      await Promise.race(waits);
    }
  }

  /** Starts writes so that `headroom` of the budget is free or droppable at once. Never throws. */
  writeBehind(): void {
    let freeable = this.budget - this.#spill.residentBytes;
    for (const id of this.#lru.keys()) {
      const state = this.#spill.state(id);
      if (state === 'clean' && !this.isPinned(id)) freeable += this.#spill.bytesOf(id);
      if (state === 'writing') freeable += this.#spill.bytesOf(id);
    }
    for (const id of this.#lru.keys()) {
      if (freeable >= this.#headroom || this.#writes >= this.#maxWrites) return;
      if (this.#spill.state(id) !== 'dirty' || this.#spill.unspillable(id) !== undefined) continue;
      freeable += this.#spill.bytesOf(id);
      void this.#write(id).catch(() => {}); // a failed write-behind is retried, and reported, by `admit`
    }
  }

  /** `path` is about to run: learn the order units run in, and prefetch. Never throws. */
  beginStep(path: string): void {
    if (this.#lastBegun !== undefined && this.#lastBegun !== path) this.#successor.set(this.#lastBegun, path);
    this.#lastBegun = path;
    const reserve = this.#previous.get(path)?.bytes ?? 0;
    const seen = new Set<string>();
    let unit: string | undefined = path;
    for (let k = 0; unit !== undefined && k <= this.#lookahead && !seen.has(unit); k++, unit = this.#successor.get(unit)) {
      seen.add(unit);
      const ids = [...(this.#previous.get(unit)?.ids ?? [])].reverse(); // latest versions first
      for (const id of ids) if (!this.#prefetch(id, unit, k === 0 ? 0 : reserve)) break;
    }
  }

  #prefetch(id: string, unit: string, reserve: number): boolean {
    if (this.#spill.state(id) !== 'spilled') return true;
    const bytes = this.#spill.bytesOf(id);
    if (!this.#fits(bytes + reserve) && !this.#dropClean(bytes + reserve, unit)) return false;
    this.#maybeCollect();
    if (this.#spill.state(id) !== 'spilled') return true; // freed by the collection
    this.#prefetched.set(id, unit);
    this.touch(id);
    void this.#spill.read(id).catch(() => {}); // a failed read is reported at the unit's get
    return true;
  }

  #fits(bytes: number): boolean {
    return this.#spill.residentBytes + bytes <= this.budget;
  }

  /** Drops clean unpinned entries, least recently used first, prefetched ones last, until `bytes` fit. */
  #dropClean(bytes: number, prefetchingFor?: string): boolean {
    for (const pass of [false, true]) {
      if (pass && prefetchingFor !== undefined) return false; // a prefetch never evicts another one
      for (const id of this.#lru.keys()) {
        if (this.#fits(bytes)) return true;
        if (this.#spill.state(id) !== 'clean' || this.isPinned(id) || this.#prefetched.has(id) !== pass) continue;
        this.#released += this.#spill.drop(id);
        this.#prefetched.delete(id);
      }
    }
    return this.#fits(bytes);
  }

  /** Runs a full collection if the bytes let go of since the last one reached the threshold. Never throws. */
  #maybeCollect(): void {
    if (this.#gc === undefined || this.#released < this.#collectBytes) return;
    this.#released = 0; // what `onCollected` frees now is garbage for the next collection
    const t0 = performance.now();
    try {
      this.#gc();
    } catch {
      // an injected collector failing must not fail a step: freeing then waits for V8, as without one
    }
    this.#onCollected();
    this.#collections++;
    this.#collectMs += performance.now() - t0;
  }

  /** Writes and reads whose end may make room: starts writes of LRU dirty entries as needed. */
  #startEvictionWrites(bytes: number): Promise<unknown>[] {
    const waits: Promise<unknown>[] = [];
    let coming = this.budget - this.#spill.residentBytes;
    for (const id of this.#lru.keys()) {
      const state = this.#spill.state(id);
      const inFlight = this.#spill.inFlight(id);
      if (state === 'reading' && inFlight) waits.push(inFlight.catch(() => {}));
      if (this.isPinned(id)) continue;
      if (state === 'writing' && inFlight) {
        waits.push(inFlight);
        coming += this.#spill.bytesOf(id);
      } else if (state === 'dirty' && coming < bytes && this.#spill.unspillable(id) === undefined) {
        waits.push(this.#write(id));
        coming += this.#spill.bytesOf(id);
      }
    }
    return waits;
  }

  async #write(id: string): Promise<void> {
    this.#writes++;
    try {
      await this.#spill.write(id);
    } finally {
      this.#writes--;
    }
  }

  #budgetError(bytes: number, path: string, why: string): SkyloomError {
    let pinned = 0;
    for (const id of this.#pins.keys()) pinned += this.#spill.bytesOf(id);
    const mine = new Set(this.#borrowing.get(path) ?? []);
    let own = 0;
    for (const id of mine) own += this.#spill.bytesOf(id);
    return new SkyloomError(
      ErrorCode.MemoryBudget,
      `unit ${path} needs ${formatBytes(bytes)} (${bytes} bytes) more store memory, but the memory budget is ` +
        `${formatBytes(this.budget)} (${this.budget} bytes): ${why} (${pinned} bytes pinned, ${own} of them by this unit's step; ` +
        `${this.#spill.residentBytes} bytes resident)`,
      { unitPath: path },
    );
  }
}
