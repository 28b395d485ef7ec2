import { join } from 'node:path';
import { decodeFromSpill, encodeForSpill } from './spill-codec.ts';
import { nodeSpillIo, readSpillFile, writeSpillFile, type SpillFileInfo, type SpillIo } from './spill-file.ts';
import { SpillFilePool } from './spill-file-pool.ts';
import type { Ref } from './ref.ts';

/**
 * The MECHANISM of a spilling store: entries that are resident (in memory), on disk, or both, with
 * their in-memory and on-disk sizes, and the moves between those states. It knows nothing of budgets,
 * LRU or borrowing: `MemoryPolicy` decides what moves when. States:
 *
 *   dirty (memory only) --write--> writing --> clean (memory + disk) --drop--> spilled (disk only)
 *   spilled --read--> reading --> clean
 *
 * Resident bytes count dirty, writing, clean and reading entries (a read allocates its buffers when it
 * starts). Values are immutable, so a clean entry is dropped without writing again. Does not cover
 * borrowing, verification or freeing unreachable refs (see `BudgetedStore`).
 */
export type EntryState = 'dirty' | 'writing' | 'clean' | 'spilled' | 'reading';

export interface SpillStoreOptions {
  readonly directory: string;
  readonly io?: SpillIo;
  /** A file was written (`bytes` on disk). */
  readonly onSpillOut?: (ref: string, bytes: number) => void;
  /** A file was read back (`bytes` on disk). */
  readonly onSpillIn?: (ref: string, bytes: number) => void;
  /** A value left memory (for the retention check). */
  readonly onDrop?: (ref: string, value: unknown) => void;
}

/** Spill I/O totals, for the benchmark: bytes moved and the time at least one transfer was in flight. */
export interface SpillIoStats {
  readonly bytesOut: number;
  readonly bytesIn: number;
  readonly filesOut: number;
  readonly filesIn: number;
  readonly busyMs: number;
}

interface Entry {
  readonly id: string;
  readonly bytes: number;
  value: unknown;
  state: EntryState;
  disk: SpillFileInfo | undefined;
  /** Refs inside the value: kept alive while the value is on disk only. */
  refs: readonly Ref[];
  /** Why the value cannot be spilled (a class instance, a function...), if so. */
  unspillable: string | undefined;
  writing: Promise<void> | undefined;
  reading: Promise<unknown> | undefined;
  freed: boolean;
}

export class SpillStore {
  readonly #entries = new Map<string, Entry>();
  readonly #options: SpillStoreOptions;
  readonly #io: SpillIo;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #pool: SpillFilePool;
  #resident = 0;
  #peak = 0;
  #onDisk = 0;
  #io_ = { bytesOut: 0, bytesIn: 0, filesOut: 0, filesIn: 0, busyMs: 0 };
  #inFlight = 0;
  #busySince = 0;

  constructor(options: SpillStoreOptions) {
    this.#options = options;
    this.#io = options.io ?? nodeSpillIo;
    this.#pool = new SpillFilePool({ directory: options.directory, io: this.#io });
  }

  get residentBytes(): number {
    return this.#resident;
  }
  get peakResidentBytes(): number {
    return this.#peak;
  }
  /** Bytes of spill files on disk now, not counting the bounded pool of freed refs' files (`SpillFilePool`). */
  get diskBytes(): number {
    return this.#onDisk;
  }
  /** True while a write or read is in flight. */
  get busy(): boolean {
    return this.#inFlight > 0;
  }
  get ioStats(): SpillIoStats {
    return { ...this.#io_ };
  }
  /** Entry ids, oldest first. */
  ids(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** Adds a resident (dirty) entry. The caller has made room for `bytes`. */
  add(id: string, value: unknown, bytes: number): void {
    this.#entries.set(id, { id, bytes, value, state: 'dirty', disk: undefined, refs: [], unspillable: undefined, writing: undefined, reading: undefined, freed: false });
    this.#addResident(bytes);
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }
  state(id: string): EntryState | undefined {
    return this.#entries.get(id)?.state;
  }
  bytesOf(id: string): number {
    return this.#entries.get(id)?.bytes ?? 0;
  }
  /** Why `id` cannot be spilled, or undefined (also before the first attempt). */
  unspillable(id: string): string | undefined {
    return this.#entries.get(id)?.unspillable;
  }
  /** The value of a resident entry (dirty, writing or clean); undefined otherwise. */
  residentValue(id: string): unknown {
    const entry = this.#entries.get(id);
    return entry && entry.state !== 'spilled' && entry.state !== 'reading' ? entry.value : undefined;
  }

  /**
   * Writes a dirty entry to disk (resolves at once if it is already written or being written).
   * Resolves false for an unspillable value. Rejects with `SKY_SPILL_WRITE`; the entry stays dirty.
   */
  write(id: string): Promise<boolean> {
    const entry = this.#entries.get(id);
    if (!entry || entry.state === 'clean' || entry.state === 'spilled' || entry.state === 'reading') return Promise.resolve(true);
    if (entry.writing) return entry.writing.then(() => true);
    if (entry.unspillable !== undefined) return Promise.resolve(false);
    const encoded = encodeForSpill(entry.value);
    if (!encoded.ok) {
      entry.unspillable = encoded.reason;
      return Promise.resolve(false);
    }
    entry.refs = encoded.encoded.refs;
    entry.state = 'writing';
    const file = join(this.#options.directory, `${id.replace(/[^\w.-]/g, '_')}.spill`);
    entry.writing = this.#track(writeSpillFile(this.#io, file, encoded.encoded, { ref: id }, this.#pool.take(entry.bytes))).then(
      (info): Promise<void> | undefined => {
        entry.writing = undefined;
        this.#onDisk += info.fileBytes;
        this.#io_.bytesOut += info.fileBytes;
        this.#io_.filesOut++;
        entry.disk = info;
        if (entry.freed) return this.#retire(entry);
        entry.state = 'clean';
        this.#options.onSpillOut?.(id, info.fileBytes);
        return undefined;
      },
      (error: unknown) => {
        entry.writing = undefined;
        entry.state = 'dirty';
        throw error;
      },
    );
    return entry.writing.then(() => true);
  }

  /** Drops the in-memory copy of a clean entry; returns the bytes freed (0 unless clean). Never throws. */
  drop(id: string): number {
    const entry = this.#entries.get(id);
    if (!entry || entry.state !== 'clean') return 0;
    const value = entry.value;
    entry.value = undefined;
    entry.state = 'spilled';
    this.#resident -= entry.bytes;
    this.#options.onDrop?.(id, value);
    return entry.bytes;
  }

  /**
   * The value of `id`, reading it back if spilled (the caller has made room). Rejects with
   * `SKY_SPILL_MISSING` / `SKY_SPILL_CORRUPT` naming the ref and file; the entry stays spilled.
   */
  read(id: string, unitPath?: string): Promise<unknown> {
    const entry = this.#entries.get(id);
    if (!entry) return Promise.reject(new Error(`no entry ${id}`));
    if (entry.state !== 'spilled' && entry.state !== 'reading') return Promise.resolve(entry.value);
    if (entry.reading) return entry.reading;
    const info = entry.disk as SpillFileInfo;
    entry.state = 'reading';
    this.#addResident(entry.bytes);
    const owner = unitPath === undefined ? { ref: id } : { ref: id, unitPath };
    entry.reading = this.#track(readSpillFile(this.#io, info, owner)).then(
      ({ skeleton, buffers }) => {
        entry.reading = undefined;
        this.#io_.bytesIn += info.fileBytes;
        this.#io_.filesIn++;
        if (entry.freed) return undefined;
        entry.value = decodeFromSpill(skeleton, buffers, entry.refs);
        entry.state = 'clean';
        this.#options.onSpillIn?.(id, info.fileBytes);
        return entry.value;
      },
      (error: unknown) => {
        entry.reading = undefined;
        if (!entry.freed) {
          entry.state = 'spilled';
          this.#resident -= entry.bytes;
        }
        throw error;
      },
    );
    return entry.reading;
  }

  /** A write or read of `id` in flight, if any. */
  inFlight(id: string): Promise<unknown> | undefined {
    const entry = this.#entries.get(id);
    return entry?.writing ?? entry?.reading;
  }

  /** Forgets `id` and deletes its file (after a write in flight finishes). Never throws. */
  free(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    entry.freed = true;
    if (entry.state !== 'spilled') this.#resident -= entry.bytes;
    entry.value = undefined;
    entry.refs = [];
    if (entry.disk && !entry.writing) this.#retire(entry);
  }

  /** Waits for I/O in flight, then frees everything (deleting files unless `keepFiles`). Never rejects. */
  async close(keepFiles: boolean): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    for (const entry of this.#entries.values()) {
      entry.freed = true;
      if (entry.disk && !keepFiles) void this.#unlink(entry);
    }
    this.#entries.clear();
    this.#resident = 0;
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
    await this.#pool.clear();
  }

  #addResident(bytes: number): void {
    this.#resident += bytes;
    if (this.#resident > this.#peak) this.#peak = this.#resident;
  }

  /** A freed entry's file goes to the pool (or is deleted when the pool is full). */
  #retire(entry: Entry): undefined {
    const disk = entry.disk;
    if (!disk) return undefined;
    entry.disk = undefined;
    this.#onDisk -= disk.fileBytes;
    this.#pool.retire(disk.file, disk.fileBytes);
    return undefined;
  }

  #unlink(entry: Entry): Promise<void> {
    const disk = entry.disk;
    if (!disk) return Promise.resolve();
    entry.disk = undefined;
    this.#onDisk -= disk.fileBytes;
    const done = this.#io.unlink(disk.file).catch(() => {}); // already gone: nothing to free
    this.#pending.add(done);
    void done.finally(() => this.#pending.delete(done));
    return done;
  }

  /** Counts I/O time as the union of intervals with a transfer in flight. */
  #track<T>(io: Promise<T>): Promise<T> {
    if (this.#inFlight++ === 0) this.#busySince = performance.now();
    const settled = io.finally(() => {
      if (--this.#inFlight === 0) this.#io_.busyMs += performance.now() - this.#busySince;
    });
    const quiet = settled.catch(() => {});
    this.#pending.add(quiet);
    void quiet.finally(() => this.#pending.delete(quiet));
    return settled;
  }
}
