import { formatBytes } from '../byte-size.ts';
import { CollectionRule, type CollectionOptions, type CollectionStats } from './collection-rule.ts';
import { ErrorCode, SkyloomError } from '../errors.ts';
import type { SpillStore } from './spill-store.ts';

export type { CollectionStats } from './collection-rule.ts';

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
 * - Reuse: an entry dropped to make room for a read, if the store says nothing else holds its buffers
 *   (`hooks.reusable`: a value put with `transfer`), is read into instead of let go of.
 * - Room for the next unit (`reserveNext`): a put also frees, if writes allow, what the next unit
 *   will likely add to the store before it puts it.
 * - Collection: the store's memory it let go of leaves the process only when V8 collects it, so the
 *   policy forces young-generation collections at the rate it lets go of memory, and full ones when
 *   the garbage it can measure or the disk say so (`CollectionRule`), before it takes more memory (an
 *   admit, a prefetch read); after a full one `onCollected` lets the store free the refs it found
 *   unreachable.
 *
 * Does not cover what a value is or how it is stored (mechanism: `SpillStore`), nor verification.
 * `admit` is the only method that throws/rejects; the others never throw.
 */
export interface MemoryPolicyOptions extends CollectionOptions {
  readonly budget: number;
  /** Fraction of the budget write-behind keeps free or droppable at once. Default 0.5. */
  readonly headroom?: number;
  /** Most writes in flight from write-behind. Default 2. */
  readonly maxWrites?: number;
  /** How many units after the starting one to prefetch for. Default 2. */
  readonly lookahead?: number;
  /**
   * At a put, also make room for what the next unit will likely add before it puts it (see
   * `#nextGrowth`), so that its value and a full store do not meet. Default true.
   */
  readonly reserveNext?: boolean;
}

export interface PolicyHooks {
  readonly onCollected?: () => void;
  readonly reusable?: (id: string) => boolean;
}

export class MemoryPolicy {
  readonly budget: number;
  readonly #spill: SpillStore;
  readonly #headroom: number;
  readonly #maxWrites: number;
  readonly #lookahead: number;
  readonly #reserveNext: boolean;
  /** Entry ids by last use, oldest first (a Map keeps insertion order). */
  readonly #lru = new Map<string, true>();
  readonly #pins = new Map<string, number>();
  /** Per unit: refs borrowed in the current step, in order, with their pin counts held. */
  readonly #borrowing = new Map<string, string[]>();
  readonly #previous = new Map<string, { ids: string[]; bytes: number }>();
  readonly #stepPutBytes = new Map<string, number>();
  readonly #stepTakenBytes = new Map<string, number>();
  readonly #prefetched = new Map<string, string>();
  readonly #successor = new Map<string, string>();
  readonly #collection: CollectionRule;
  readonly #reusable: (id: string) => boolean;
  #lastBegun: string | undefined;
  #writes = 0;

  /**
   * `hooks.onCollected` runs after each full collection (the store frees the refs it found
   * unreachable); `hooks.reusable(id)` is true if nothing but the store holds entry `id`'s buffers
   * (a value put with `transfer`), so a read may reuse them when it is dropped to make room for one:
   * that memory is not let go of, and no forced collection need find it. Neither may throw.
   */
  constructor(spill: SpillStore, options: MemoryPolicyOptions, hooks: PolicyHooks = {}) {
    this.#spill = spill;
    this.#reusable = hooks.reusable ?? (() => false);
    this.budget = options.budget;
    this.#headroom = (options.headroom ?? 0.5) * options.budget;
    this.#maxWrites = options.maxWrites ?? 2;
    this.#lookahead = options.lookahead ?? 2;
    this.#reserveNext = options.reserveNext ?? true;
    const bytes = { resident: () => spill.residentBytes, disk: () => spill.diskBytes };
    this.#collection = new CollectionRule(options.budget, bytes, options, hooks.onCollected ?? (() => {}));
  }

  /** How many collections this policy ran (how many full), and their total wall time (with `onCollected`). */
  get collections(): CollectionStats {
    return this.#collection.stats;
  }

  /** Marks `id` most recently used. */
  touch(id: string): void {
    this.#lru.delete(id);
    this.#lru.set(id, true);
  }

  /** Memory the store let go of outside any entry (a taken value its unit did not put back): garbage until a collection. */
  letGo(bytes: number): void {
    this.#collection.released(bytes);
  }

  /** `path` takes entry `id` out of the store (call before `SpillStore.free`): in use, not let go of. */
  taken(path: string, id: string): void {
    this.#stepTakenBytes.set(path, (this.#stepTakenBytes.get(path) ?? 0) + this.#spill.bytesOf(id));
    this.forget(id, false);
  }

  /** The entry is being freed (call before `SpillStore.free`, so its resident bytes count as released). */
  forget(id: string, garbage = true): void {
    const state = this.#spill.state(id);
    if (garbage && state !== undefined && state !== 'spilled') this.#collection.released(this.#spill.bytesOf(id));
    this.#lru.delete(id);
    this.#pins.delete(id);
    this.#prefetched.delete(id);
  }

  /** True if a step other than `path`'s borrows `id`. */
  borrowedByOthers(id: string, path: string): boolean {
    const mine = (this.#borrowing.get(path) ?? []).filter((b) => b === id).length;
    return (this.#pins.get(id) ?? 0) > mine;
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
    this.#stepTakenBytes.delete(path);
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
  async admit<T>(bytes: number, path: string, commit: () => T, forRead = false): Promise<T> {
    if (bytes > this.budget) throw this.#budgetError(bytes, path, `a value of ${formatBytes(bytes)} (${bytes} bytes) is larger than the memory budget`);
    // Room for what the next unit will add to the store too, if it can be had (see `#nextGrowth`).
    let want = forRead || !this.#reserveNext ? bytes : bytes + this.#nextGrowth(bytes, path);
    for (;;) {
      this.#collection.maybeCollect(false); // may free unreachable entries, making room without spilling
      if (this.#fits(want) || this.#dropClean(want, undefined, forRead)) {
        this.#collection.maybeCollect(false); // what the drops let go of goes before `commit` allocates (a read-back)
        const done = commit(); // a read starts here, into the dropped buffers it can reuse
        this.#collection.released(this.#spill.discardSpare());
        return done;
      }
      const waits = this.#startEvictionWrites(want);
      if (waits.length === 0 && want > bytes) {
        want = bytes;
        continue;
      }
      if (waits.length === 0) throw this.#budgetError(bytes, path, 'the steps running now pin too much');
      await Promise.race(waits);
    }
  }

  /**
   * For a put of `bytes`: what the next unit will likely add to the store before it puts it, guessed as
   * what this step adds (put − taken). Why: that unit computes its value outside the store, and the
   * budget is meant to cover both. Made free at this put, not when that unit starts: by then the
   * entries to drop are often still being written.
   */
  #nextGrowth(bytes: number, path: string): number {
    const growth = (this.#stepPutBytes.get(path) ?? 0) + bytes - (this.#stepTakenBytes.get(path) ?? 0);
    return Math.min(Math.max(0, growth), this.budget - bytes);
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

  /**
   * `path` is about to run: learn the order units run in, and prefetch. Room for every read is made
   * first, then one collection (what the drops let go of goes while it is young), then the reads
   * start. Never throws.
   */
  beginStep(path: string): void {
    if (this.#lastBegun !== undefined && this.#lastBegun !== path) this.#successor.set(this.#lastBegun, path);
    this.#lastBegun = path;
    const reserve = this.#previous.get(path)?.bytes ?? 0;
    const reads: string[] = [];
    let planned = 0;
    const seen = new Set<string>();
    let unit: string | undefined = path;
    for (let k = 0; unit !== undefined && k <= this.#lookahead && !seen.has(unit); k++, unit = this.#successor.get(unit)) {
      seen.add(unit);
      const ids = [...(this.#previous.get(unit)?.ids ?? [])].reverse(); // latest versions first
      for (const id of ids) {
        if (this.#spill.state(id) !== 'spilled' || reads.includes(id)) continue;
        const bytes = this.#spill.bytesOf(id);
        const room = planned + bytes + (k === 0 ? 0 : reserve);
        if (!this.#fits(room) && !this.#dropClean(room, unit, true)) break;
        reads.push(id);
        planned += bytes;
        this.#prefetched.set(id, unit);
        this.touch(id);
      }
    }
    this.#collection.maybeCollect(true);
    for (const id of reads) {
      if (this.#spill.state(id) !== 'spilled') continue; // freed by the collection
      void this.#spill.read(id).catch(() => {}); // a failed read is reported at the unit's get
    }
    this.#collection.released(this.#spill.discardSpare());
  }

  #fits(bytes: number): boolean {
    return this.#spill.residentBytes + bytes <= this.budget;
  }

  /**
   * Drops clean unpinned entries, least recently used first, prefetched ones last, until `bytes` fit.
   * `forRead`: the room is for reads, which reuse the buffers of reusable entries dropped.
   */
  #dropClean(bytes: number, prefetchingFor?: string, forRead = false): boolean {
    for (const pass of [false, true]) {
      if (pass && prefetchingFor !== undefined) return false; // a prefetch never evicts another one
      for (const id of this.#lru.keys()) {
        if (this.#fits(bytes)) return true;
        if (this.#spill.state(id) !== 'clean' || this.isPinned(id) || this.#prefetched.has(id) !== pass) continue;
        const reused = forRead && this.#reusable(id);
        const dropped = this.#spill.drop(id, reused);
        if (!reused) this.#collection.released(dropped);
        this.#prefetched.delete(id);
      }
    }
    return this.#fits(bytes);
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
