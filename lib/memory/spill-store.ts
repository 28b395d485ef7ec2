import { join } from 'node:path';
import { decodeFromSpill, encodeForSpill, type EncodedValue } from './spill-codec.ts';
import { ResidentMemory } from './resident-memory.ts';
import { FinishQueue } from './finish-queue.ts';
import { codeOf, ErrorCode, SkyloomError } from '../errors.ts';
import { IoTracker } from './io-tracker.ts';
import { nodeSpillIo, readSpillFile, spillFileOwner, writeSpillFile, type OpenSpillFile, type SpillFileInfo, type SpillIo } from './spill-file.ts';
import { SpillFilePool } from './spill-file-pool.ts';
import { buffersOf } from './hand-over.ts';
import { openError, type Entry, type EntryState, type SpillIoStats, type SpillStoreOptions } from './spill-entry.ts';

export type { EntryState, SpillIoStats, SpillStoreOptions } from './spill-entry.ts';

/**
 * The MECHANISM of a spilling store: entries that are resident (in memory), on disk, or both, with
 * their in-memory and on-disk sizes, and the moves between those states. It knows nothing of budgets,
 * LRU or borrowing: `MemoryPolicy` decides what moves when. States:
 *
 *   dirty (memory only) --write--> writing --> clean (memory + disk) --drop--> spilled (disk only)
 *   spilled --read--> reading --> clean
 *
 * Resident bytes (`memory`, a `ResidentMemory`) count dirty, writing, clean and reading entries (a read
 * allocates its buffers when it starts), bytes the caller adds for values held outside any entry
 * (values units took out of the store, scratch arrays) and the spare buffers kept for recycling: memory
 * of values the store owned that left memory, read into again or handed out as scratch instead of
 * being left to the garbage collector (also that of a value freed while written or read back, once
 * that I/O ends). Values are immutable, so a clean entry is dropped without writing again.
 *
 * A write ends (the entry is clean) once its bytes are in the page cache, readable through the file's
 * open handle; the file is finished — cut to size, synced if `syncFiles` (files kept after the run),
 * renamed to its ref's name — in the background, at most `finishing` at a time, and a write waits
 * while more than `maxUnfinished` files are not finished, so a syncing disk sets the pace. Each
 * on-disk entry keeps its file open (up to `maxOpenFiles`), so a read is one `readv`. Does not cover
 * borrowing, verification or freeing unreachable refs (see `BudgetedStore`).
 */
export class SpillStore {
  readonly #entries = new Map<string, Entry>();
  readonly #options: SpillStoreOptions;
  readonly #io: SpillIo;
  readonly #tracker = new IoTracker();
  readonly #pool: SpillFilePool;
  readonly #finishing: FinishQueue;
  /** Resident bytes, spare buffers and freed values' memory still in flight. */
  readonly memory = new ResidentMemory();
  readonly #maxUnfinished: number;
  readonly #maxOpenFiles: number;
  #openFiles = 0;
  #onDisk = 0;
  readonly #moved = { bytesOut: 0, bytesIn: 0, filesOut: 0, filesIn: 0 };

  constructor(options: SpillStoreOptions) {
    this.#options = options;
    this.#io = options.io ?? nodeSpillIo;
    this.#pool = new SpillFilePool({ directory: options.directory, io: this.#io });
    this.#finishing = new FinishQueue(options.finishing ?? 2);
    this.#maxUnfinished = options.maxUnfinished ?? 8;
    this.#maxOpenFiles = options.maxOpenFiles ?? 512;
  }

  /** The sizes of the buffers an entry on disk is made of (empty if it is not on disk). */
  bufferSizesOf(id: string): readonly number[] {
    return this.#entries.get(id)?.disk?.bufferBytes ?? [];
  }

  /** Replaces a resident entry's value by the same data in other buffers (a lease ended in verify mode). Never throws. */
  rehome(id: string, value: unknown): void {
    const entry = this.#entries.get(id);
    if (entry && entry.state !== 'spilled' && entry.state !== 'reading') entry.value = value;
  }

  /** Bytes of spill files on disk now, not counting the bounded pool of freed refs' files (`SpillFilePool`). */
  get diskBytes(): number {
    return this.#onDisk;
  }
  /** True while a write or read is in flight. */
  get busy(): boolean {
    return this.#tracker.busy;
  }
  get ioStats(): SpillIoStats {
    return { ...this.#moved, busyMs: this.#tracker.busyMs }; // background finishing may keep it busy throughout
  }
  /** Entry ids, oldest first. */
  ids(): IterableIterator<string> {
    return this.#entries.keys();
  }

  /** Adds a resident (dirty) entry. The caller has made room for `bytes`. */
  add(id: string, value: unknown, bytes: number): void {
    this.#entries.set(id, { id, bytes, value, state: 'dirty', disk: undefined, file: undefined, finished: undefined, refs: [], unspillable: undefined, writing: undefined, reading: undefined, freed: false });
    this.memory.add(bytes);
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
  /** The error of `id`'s value having changed while it was written (`SKY_PRISTINE_VIOLATION`), if it did. */
  changed(id: string): SkyloomError | undefined {
    return this.#entries.get(id)?.changed;
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
    if (entry.changed) return Promise.reject(entry.changed); // changed in place: never written as if pristine
    if (entry.unspillable !== undefined) return Promise.resolve(false);
    const encoded = encodeForSpill(entry.value);
    if (!encoded.ok) {
      entry.unspillable = encoded.reason;
      return Promise.resolve(false);
    }
    entry.refs = encoded.encoded.refs;
    entry.state = 'writing';
    entry.writing = this.#tracker.track(this.#writeFile(entry, encoded.encoded)).then(
      (info): void => {
        entry.writing = undefined;
        this.#onDisk += info.fileBytes;
        this.#moved.bytesOut += info.fileBytes;
        this.#moved.filesOut++;
        entry.disk = info;
        if (entry.freed) return this.#retire(this.#recycleAfterIo(entry, buffersOf(entry.value)));
        entry.state = 'clean';
        this.#options.onSpillOut?.(id, info.fileBytes);
        return undefined;
      },
      (error: unknown) => {
        entry.writing = undefined;
        if (entry.freed) this.#recycleAfterIo(entry, buffersOf(entry.value));
        entry.state = 'dirty';
        if (codeOf(error) === ErrorCode.PristineViolation) entry.changed = error as SkyloomError;
        throw error;
      },
    );
    return entry.writing.then(() => true);
  }

  /**
   * Drops the in-memory copy of a clean entry; returns the resident bytes freed (0 unless clean; with
   * `reuse`, what its buffers did not keep). With `reuse` (the caller vouches that nothing else holds
   * the value's buffers) they become spare buffers, for later reads and scratch. Never throws.
   */
  drop(id: string, reuse = false): number {
    const entry = this.#entries.get(id);
    if (!entry || entry.state !== 'clean') return 0;
    const value = entry.value;
    entry.value = undefined;
    entry.state = 'spilled';
    this.memory.add(-entry.bytes);
    const kept = reuse ? this.memory.giveSpare(buffersOf(value)) : 0;
    this.#options.onDrop?.(id, value);
    return entry.bytes - kept;
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
    // The read goes into spare buffers where there are some (taken now: the accounting is synchronous).
    const spares = info.bufferBytes.map((n) => this.memory.takeSpareOf(n)); // no longer counted as spare...
    this.memory.add(entry.bytes); // ...but as the entry's
    const owner = spillFileOwner(id, unitPath);
    let next = 0;
    const spare = (): ArrayBuffer | undefined => spares[next++];
    entry.reading = this.#tracker.track(readSpillFile(this.#io, info, owner, entry.file?.handle, spare)).then(
      ({ skeleton, buffers }) => {
        entry.reading = undefined;
        this.#moved.bytesIn += info.fileBytes;
        this.#moved.filesIn++;
        if (entry.freed) return void this.#recycleAfterIo(entry, buffers);
        entry.value = decodeFromSpill(skeleton, buffers, entry.refs);
        entry.state = 'clean';
        this.#options.onSpillIn?.(id, info.fileBytes);
        return entry.value;
      },
      (error: unknown) => {
        entry.reading = undefined;
        if (entry.freed) this.#recycleAfterIo(entry, []);
        else {
          entry.state = 'spilled';
          this.memory.add(-entry.bytes);
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

  /**
   * Forgets `id` and deletes its file (after a write in flight finishes). With `reuse` (as for `drop`),
   * its buffers become spare buffers if it is in memory: at once, or when the write or read in flight
   * ends (counted as resident until then). Returns true if they were kept for reuse. Never throws.
   */
  free(id: string, reuse = false): boolean {
    const entry = this.#entries.get(id);
    if (!entry) return false;
    this.#entries.delete(id);
    entry.freed = true;
    const reused = reuse && (entry.state === 'clean' || entry.state === 'dirty');
    entry.recycleAfterIo = reuse && (entry.state === 'writing' || entry.state === 'reading');
    if (entry.recycleAfterIo) this.memory.recyclingAfter((entry.writing ?? entry.reading) as Promise<unknown>);
    if (entry.state !== 'spilled' && !entry.recycleAfterIo) this.memory.add(-entry.bytes);
    if (reused) this.memory.giveSpare(buffersOf(entry.value));
    if (!entry.recycleAfterIo) entry.value = undefined; // a write in flight still reads it
    entry.refs = [];
    if (entry.disk && !entry.writing) this.#retire(entry);
    return reused || entry.recycleAfterIo;
  }

  /** Resolves once the writes started so far are finished under their refs' names (or failed). Never rejects. */
  async finished(): Promise<void> {
    const writing = [...this.#entries.values()].flatMap((e) => (e.writing ? [e.writing.catch(() => {})] : []));
    await Promise.all(writing);
    await this.#finishing.drained();
  }

  /** Waits for I/O in flight, then frees everything (deleting files unless `keepFiles`). Never rejects. */
  async close(keepFiles: boolean): Promise<void> {
    // Files about to be deleted need no finishing.
    await this.#tracker.settled(keepFiles ? undefined : () => this.#finishing.skipQueued());
    await this.#finishing.drained(); // kept files are then whole, under their refs' names
    for (const entry of this.#entries.values()) {
      entry.freed = true;
      if (entry.disk) this.#tracker.track(this.#closeFile(entry, !keepFiles));
    }
    this.#entries.clear();
    await this.#tracker.settled();
    this.memory.clear();
    await this.#pool.clear();
  }

  /** Writes into a pooled or spare file (one `writev`), then queues finishing it and waits if too many are queued. */
  async #writeFile(entry: Entry, encoded: EncodedValue): Promise<SpillFileInfo> {
    const file = join(this.#options.directory, `${entry.id.replace(/[^\w.-]/g, '_')}.spill`);
    const target = this.#pool.take(entry.bytes) ?? (await this.#openTemp(file, entry.id));
    const owner = spillFileOwner(entry.id, this.#options.culprit?.(entry.id));
    const written = await writeSpillFile(this.#io, target, file, encoded, owner, { sync: this.#options.syncFiles ?? false, verify: this.#options.verify ?? true });
    this.#openFiles++;
    entry.file = { path: target.path, handle: written.handle, bytes: Math.max(target.bytes, written.info.fileBytes) };
    entry.finished = this.#tracker.track(this.#finishing.schedule(written.finish)).then(
      (ran) => (ran ? this.#finishedAt(entry, file, written.info.fileBytes) : undefined), // skipped: still under its temp name
      (error: unknown) => this.#finishFailed(entry, error as SkyloomError),
    );
    await this.#finishing.below(this.#maxUnfinished);
    return written.info;
  }

  async #openTemp(file: string, ref: string): Promise<OpenSpillFile> {
    try {
      return await this.#pool.open();
    } catch (cause) {
      throw openError(file, ref, cause);
    }
  }

  #finishedAt(entry: Entry, file: string, fileBytes: number): void {
    const open = entry.file;
    if (!open) return;
    entry.file = { path: file, handle: open.handle, bytes: fileBytes };
    if (entry.freed || this.#openFiles <= this.#maxOpenFiles || !open.handle) return;
    // Too many open: this one is read back by opening it again (two round trips instead of one).
    this.#openFiles--;
    entry.file = { path: file, handle: undefined, bytes: fileBytes };
    void open.handle.close().catch(() => {});
  }

  /** Finishing failed: a value still in memory is written again later; one only on disk is read back checksum-checked. */
  #finishFailed(entry: Entry, error: SkyloomError): void {
    if (entry.freed) return;
    if (entry.state === 'clean' || entry.state === 'writing') {
      entry.state = entry.state === 'clean' ? 'dirty' : entry.state;
      this.#tracker.track(this.#closeFile(entry, true));
      entry.disk = undefined;
      return;
    }
    this.#options.onFinishFailed?.(entry.id, error);
  }

  /** A freed entry's write or read ended: with `recycleAfterIo`, its bytes stop counting and `buffers` become spare ones. Returns the entry. */
  #recycleAfterIo(entry: Entry, buffers: readonly ArrayBuffer[]): Entry {
    if (!entry.recycleAfterIo) return entry;
    entry.recycleAfterIo = false;
    entry.value = undefined;
    this.memory.add(-entry.bytes);
    this.memory.giveSpare(buffers);
    return entry;
  }

  /** A freed entry's file goes to the pool (or is deleted when the pool is full), once it is finished. */
  #retire(entry: Entry): undefined {
    const disk = entry.disk;
    if (!disk) return undefined;
    entry.disk = undefined;
    this.#onDisk -= disk.fileBytes;
    const pool = async (): Promise<void> => {
      await entry.finished;
      const file = entry.file;
      entry.file = undefined;
      if (!file) return;
      if (file.handle) {
        this.#openFiles--;
        this.#pool.retire({ path: file.path, handle: file.handle, bytes: file.bytes });
      } else await this.#io.unlink(file.path).catch(() => {});
    };
    this.#tracker.track(pool());
    return undefined;
  }

  /** Closes an entry's file and, with `remove`, deletes it. Never rejects. */
  async #closeFile(entry: Entry, remove: boolean): Promise<void> {
    const file = entry.file;
    entry.file = undefined;
    if (entry.disk) this.#onDisk -= entry.disk.fileBytes;
    entry.disk = undefined;
    if (!file) return;
    if (file.handle) {
      this.#openFiles--;
      await file.handle.close().catch(() => {});
    }
    if (remove) await this.#io.unlink(file.path).catch(() => {}); // already gone: nothing to free
  }

}
