import { formatBytes } from '../byte-size.ts';
import { ErrorCode, SkyloomError } from '../errors.ts';
import type { MemoryPolicyOptions, PolicyHooks, Spare } from './memory-policy-options.ts';
import type { SpillStore } from './spill-store.ts';

/**
 * The POLICY of a budgeted store: keeps the store's resident bytes (`ResidentMemory`) within the budget.
 *
 * - Eviction: least-recently-used first, never a ref a running step borrows (pinned). Clean entries
 *   (already on disk) are dropped at once; dirty ones are written first.
 * - Write-behind: after each put and step end, dirty entries no running step pins are written (oldest
 *   first, a few at a time) until `headroom` of the budget is free, droppable at once or being written
 *   — once the store has had to write to make room (until then what it holds fits),
 *   so a later put or read ahead rarely waits for a write. At a step's end it runs after the values that
 *   end frees are gone (a unit's last step): what is about to be freed is not written.
 * - Prefetch: when a unit begins a step, the refs it borrowed in its previous step are read back; so
 *   are those of the units that (last time) began right after it, into room that leaves the running
 *   unit what its previous step added to the store, so their reads overlap its compute. A read ahead
 *   that finds no room is tried again when a write ends (its entry can then be dropped), so it still
 *   starts before its unit does. Prefetched entries are evicted last.
 * - Recycling: an entry dropped whose buffers the store owns (`hooks.reusable`) keeps them as spare
 *   buffers (still counted as resident); reads and scratch arrays of those sizes take them, so room
 *   for them needs nothing dropped. Spare buffers no request fits are let go of last, when nothing
 *   else makes room: only then does memory go to the garbage collector. No collection is ever forced.
 * - Room for the next unit (`reserveNext`): a put also frees, if writes allow, what the next unit
 *   will likely add to the store before it puts it.
 * - The whole process (`hooks.processGrowth`): the budget then also covers what the process has grown
 *   by outside the store since the run began (V8's heap, native libraries, an algorithm's temporaries
 *   made without `scratch`). The store keeps that much less resident (its LIMIT): it drops and writes
 *   entries and lets go of spare buffers to stay under it, as it does for the budget. A soft bound:
 *   what running steps pin is never squeezed, and a request the limit cannot make room for is admitted
 *   under the budget itself, so it never fails where the budget alone would not.
 *
 * Does not cover what a value is or how it is stored (mechanism: `SpillStore`), nor verification.
 * `admit` is the only method that throws/rejects; the others never throw.
 */
export class MemoryPolicy {
  readonly budget: number;
  readonly #spill: SpillStore;
  readonly #heldBytes: () => number;
  readonly #processGrowth: (() => number) | undefined;
  readonly #headroom: number;
  readonly #maxWrites: number;
  readonly #lookahead: number;
  readonly #reserveNext: boolean;
  /** Entry ids by last use, oldest first (a Map keeps insertion order). */
  readonly #lru = new Map<string, true>();
  readonly #pins = new Map<string, number>();
  /** Per unit: refs borrowed in the current step, in order, with their pin counts held. */
  readonly #borrowing = new Map<string, string[]>();
  /** Per unit: the refs it borrowed in its last step, and what that step added to the store (see `#added`). */
  readonly #previous = new Map<string, { ids: string[]; added: number }>();
  /** Per unit: bytes admitted for its puts and scratch arrays in the current step. */
  readonly #stepAddedBytes = new Map<string, number>();
  readonly #prefetched = new Map<string, string>();
  readonly #successor = new Map<string, string>();
  readonly #reusable: (id: string) => boolean;
  #lastBegun: string | undefined;
  #writes = 0;
  /** Bytes that admits waiting for room want: a prefetch leaves them that room. */
  #waitingBytes = 0;
  /** True once the store had to write to make room, or was over its limit: from then on it writes behind. */
  #pressed = false;

  /**
   * `hooks.reusable(id)` is true if nothing but the store holds entry `id`'s buffers (a value it owns),
   * so they become spare buffers when it is dropped: that memory is recycled, not let go of. Must not throw.
   */
  constructor(spill: SpillStore, options: MemoryPolicyOptions, hooks: PolicyHooks = {}) {
    this.#spill = spill;
    this.#reusable = hooks.reusable ?? (() => false);
    this.#heldBytes = hooks.heldBytes ?? (() => 0);
    this.#processGrowth = hooks.processGrowth;
    this.budget = options.budget;
    this.#headroom = (options.headroom ?? 0.75) * options.budget;
    this.#maxWrites = options.maxWrites ?? 2;
    this.#lookahead = options.lookahead ?? 2;
    this.#reserveNext = options.reserveNext ?? false;
  }

  /** Marks `id` most recently used. */
  touch(id: string): void {
    this.#lru.delete(id);
    this.#lru.set(id, true);
  }

  /** The entry is being freed or taken (call before `SpillStore.free`). */
  forget(id: string): void {
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

  /** Releases what `path` borrowed; returns the ids whose last pin this was. */
  endStep(path: string): string[] {
    const ids = this.#borrowing.get(path) ?? [];
    this.#borrowing.delete(path);
    const released: string[] = [];
    const added = this.#added(path);
    this.#stepAddedBytes.delete(path);
    for (const id of ids) {
      const left = (this.#pins.get(id) ?? 1) - 1;
      if (left > 0) this.#pins.set(id, left);
      else {
        this.#pins.delete(id);
        released.push(id);
      }
    }
    this.#previous.set(path, { ids: [...new Set(ids)], added });
    for (const [id, owner] of this.#prefetched) if (owner === path) this.#prefetched.delete(id);
    this.#meetLimit(this.limit());
    // Writes start after the caller has freed what this step's end frees (a unit's values go right
    // after its last step's end): a value about to be freed is never written.
    queueMicrotask(() => this.writeBehind());
    return released;
  }

  /**
   * What `path`'s current step has added to the store so far: the room admitted for its puts and
   * scratch arrays (putting back a value it took or a scratch array needs none: those are counted).
   */
  #added(path: string): number {
    return this.#stepAddedBytes.get(path) ?? 0;
  }

  /**
   * Makes room for `bytes` more resident bytes, then runs `commit` synchronously (so nothing else takes
   * the room in between). `sizes`: the buffers the request could take from the spare ones (a read's
   * exact sizes, or a scratch array's range of sizes,
   * a scratch array's), which need no room. Rejects with `SKY_MEMORY_BUDGET` when the pinned bytes
   * leave no room, or with the `SKY_SPILL_WRITE` of a write it waited for.
   */
  async admit<T>(bytes: number, path: string, commit: () => T, forRead = false, sizes: Spare = []): Promise<T> {
    if (bytes > this.budget) throw this.#budgetError(bytes, path, `${formatBytes(bytes)} (${bytes} bytes) at once is more than the memory budget`);
    // Room for what the next unit will add to the store too, if it can be had (see `#nextGrowth`).
    let want = forRead || !this.#reserveNext ? bytes : bytes + this.#nextGrowth(bytes, path);
    let limit = this.limit();
    let soft = limit < this.budget;
    for (;;) {
      if (this.#room(want, sizes, limit) || this.#dropClean(want, sizes, limit) || this.#discardSpare(want, sizes, limit)) {
        if (!forRead) this.#stepAddedBytes.set(path, (this.#stepAddedBytes.get(path) ?? 0) + bytes);
        return commit();
      }
      this.#pressed = true;
      const waits = this.#startEvictionWrites(want, limit);
      if (waits.length === 0 && want > bytes) {
        want = bytes;
        continue;
      }
      if (waits.length === 0 && soft) {
        soft = false; // the process's growth is a soft bound: never fail where the budget alone would not
        limit = this.budget;
        continue;
      }
      if (waits.length === 0) throw this.#budgetError(bytes, path, 'the steps running now pin too much');
      this.#waitingBytes += want;
      try {
        await Promise.race(waits);
      } finally {
        this.#waitingBytes -= want;
      }
      if (soft) limit = this.limit();
    }
  }

  /**
   * The resident bytes the store may hold now: the budget, less what the process has grown by outside
   * the store (with `hooks.processGrowth`; never below 0). Never throws.
   */
  limit(): number {
    if (this.#processGrowth === undefined) return this.budget;
    const outside = this.#processGrowth() - this.#spill.memory.bytes;
    return outside > 0 ? Math.max(0, this.budget - outside) : this.budget;
  }

  /**
   * For a put of `bytes`: what the next unit will likely add to the store before it puts it, guessed as
   * what this step adds (`#added`). Why: that unit computes its value outside the store, and the
   * budget is meant to cover both. Made free at this put, not when that unit starts: by then the
   * entries to drop are often still being written.
   */
  #nextGrowth(bytes: number, path: string): number {
    return Math.min(this.#added(path) + bytes, this.budget - bytes);
  }

  /**
   * Once the store has had to write to make room (or is over its limit: until then what it holds fits,
   * and a write ahead would be for nothing), starts writes of dirty entries no running step pins (one
   * that does may yet be freed at its unit's end), least recently used first, so that `headroom` of the
   * budget is free or droppable at once or being written; first, if the process's
   * growth has lowered the limit under what is resident, drops what it can to meet it. Never throws.
   */
  writeBehind(): void {
    const limit = this.limit();
    this.#meetLimit(limit);
    if (this.#spill.memory.bytes > limit) this.#pressed = true;
    if (!this.#pressed) return; // what fits needs no writing ahead
    let freeable = limit - this.#spill.memory.bytes + this.#spill.memory.spareBytes;
    for (const id of this.#lru.keys()) {
      const state = this.#spill.state(id);
      if (state === 'clean' && !this.isPinned(id)) freeable += this.#spill.bytesOf(id);
      if (state === 'writing') freeable += this.#spill.bytesOf(id);
    }
    for (const id of this.#lru.keys()) {
      if (freeable >= this.#headroom || this.#writes >= this.#maxWrites) return;
      if (this.#spill.state(id) !== 'dirty' || this.isPinned(id) || this.#spill.unspillable(id) !== undefined) continue;
      freeable += this.#spill.bytesOf(id);
      void this.#write(id).catch(() => {}); // a failed write-behind is retried, and reported, by `admit`
    }
  }

  /**
   * `path` is about to run: learn the order units run in, and prefetch (`#prefetch`). Never throws.
   */
  beginStep(path: string): void {
    if (this.#lastBegun !== undefined && this.#lastBegun !== path) this.#successor.set(this.#lastBegun, path);
    this.#lastBegun = path;
    for (const id of this.#previous.get(path)?.ids ?? []) if (this.#spill.has(id)) this.touch(id); // about to be borrowed again: evicted last
    this.#prefetch();
  }

  /**
   * Reads back what the unit that began last borrowed in its previous step, then what the units after
   * it did, while there is room: for those after it, room that leaves the running unit what its previous
   * step added. Room for every read is made first (spare buffers of the right sizes count as room), then
   * the reads start. Called again when a write ends, so a read ahead that found no room starts as soon
   * as there is some. Never throws.
   */
  #prefetch(): void {
    const path = this.#lastBegun;
    if (path === undefined) return;
    const reserve = this.#previous.get(path)?.added ?? 0;
    const limit = this.limit();
    const reads: string[] = [];
    const sizes: number[] = [];
    let planned = 0;
    const seen = new Set<string>();
    let unit: string | undefined = path;
    for (let k = 0; unit !== undefined && k <= this.#lookahead && !seen.has(unit); k++, unit = this.#successor.get(unit)) {
      seen.add(unit);
      const ids = [...(this.#previous.get(unit)?.ids ?? [])].reverse(); // latest versions first
      for (const id of ids) {
        if (this.#spill.state(id) !== 'spilled' || reads.includes(id)) continue;
        const bytes = this.#spill.bytesOf(id);
        const room = this.#waitingBytes + planned + bytes + (k === 0 ? 0 : reserve);
        const withSizes = [...sizes, ...this.#spill.bufferSizesOf(id)];
        if (!this.#room(room, withSizes, limit) && !this.#dropClean(room, withSizes, limit, unit)) break;
        reads.push(id);
        sizes.splice(0, sizes.length, ...withSizes);
        planned += bytes;
        this.#prefetched.set(id, unit);
        this.touch(id);
      }
    }
    for (const id of reads) void this.#spill.read(id).catch(() => {}); // a failed read is reported at the unit's get
  }

  /** True if `bytes` more fit under `limit`, counting spare buffers of `sizes` as room. */
  #room(bytes: number, sizes: Spare, limit: number): boolean {
    return this.#spill.memory.bytes + bytes - this.#spill.memory.spareFor(sizes) <= limit;
  }

  /**
   * Drops clean unpinned entries, least recently used first, prefetched ones last, until `bytes` fit
   * (`sizes` as for `#room`); the buffers of entries the store owns become spare buffers.
   */
  #dropClean(bytes: number, sizes: Spare, limit: number, prefetchingFor?: string): boolean {
    for (const pass of [false, true]) {
      if (pass && prefetchingFor !== undefined) return false; // a prefetch never evicts another one
      for (const id of this.#lru.keys()) {
        if (this.#room(bytes, sizes, limit)) return true;
        this.#dropIfDroppable(id, pass);
      }
    }
    return this.#room(bytes, sizes, limit);
  }

  /**
   * Brings resident bytes under `limit` (lowered by the process's growth): lets go of spare buffers,
   * then drops clean unpinned entries one at a time (least recently used first, prefetched ones last),
   * letting go of the spare buffers each leaves, until it fits. Never throws.
   */
  #meetLimit(limit: number): void {
    if (this.#spill.memory.bytes <= limit || this.#discardSpare(0, [], limit)) return;
    for (const pass of [false, true]) {
      for (const id of this.#lru.keys()) {
        if (!this.#dropIfDroppable(id, pass)) continue;
        if (this.#discardSpare(0, [], limit)) return;
      }
    }
  }

  /**
   * Drops entry `id` if it is clean, unpinned, and prefetched exactly when `prefetched` (eviction takes
   * the others first); the buffers of an entry the store owns become spare buffers. True if dropped.
   */
  #dropIfDroppable(id: string, prefetched: boolean): boolean {
    if (this.#spill.state(id) !== 'clean' || this.isPinned(id) || this.#prefetched.has(id) !== prefetched) return false;
    this.#spill.drop(id, this.#reusable(id));
    this.#prefetched.delete(id);
    return true;
  }

  /** Lets go of spare buffers no request of `sizes` would take, until `bytes` fit under `limit`. */
  #discardSpare(bytes: number, sizes: Spare, limit: number): boolean {
    const over = this.#spill.memory.bytes + bytes - this.#spill.memory.spareFor(sizes) - limit;
    if (over > 0) this.#spill.memory.discardSpare(over, 'between' in sizes ? [] : sizes);
    return this.#room(bytes, sizes, limit);
  }

  /** Writes and reads whose end may make room under `limit` (also those of freed values): starts writes of LRU dirty entries as needed. */
  #startEvictionWrites(bytes: number, limit: number): Promise<unknown>[] {
    const waits: Promise<unknown>[] = this.#spill.memory.recycling; // freed values still written or read: counted until then
    let coming = limit - this.#spill.memory.bytes;
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
    this.#prefetch(); // the written entry can be dropped now: room for a read ahead
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
        `${this.#heldBytes()} bytes of scratch arrays and taken values in running steps' hands; ${this.#spill.memory.bytes} bytes resident)`,
      { unitPath: path },
    );
  }
}
