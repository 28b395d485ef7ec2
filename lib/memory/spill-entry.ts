/**
 * The data of a spilling store: what an entry is, the options of the store and its I/O totals.
 * Types only, shared by `SpillStore` and its callers; see `spill-store.ts` for the states.
 */
import { ErrorCode, SkyloomError } from '../errors.ts';
import type { Ref } from '../ref.ts';
import type { OpenSpillFile, SpillFileInfo, SpillIo } from './spill-file.ts';

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
  /** The unit to name when a value changes while it is written (its latest borrower), if known. */
  readonly culprit?: (ref: string) => string | undefined;
  /** Finishing a written file (cut, sync, rename) failed after its value left memory (the value is read back checksum-checked all the same). */
  readonly onFinishFailed?: (ref: string, error: SkyloomError) => void;
  /** `fdatasync` each file before its rename: for files kept after the run. Default false (see `spill-file.ts`). */
  readonly syncFiles?: boolean;
  /** Checksum every byte of a file, and again after the write to name a value changed in place meanwhile; else sampled, once (see `spill-checksum.ts`). Default true. */
  readonly verify?: boolean;
  /** Background finishing tasks at once. Default 2. */
  readonly finishing?: number;
  /** Most written files not yet finished before a write waits. Default 8. */
  readonly maxUnfinished?: number;
  /** Most spill files kept open for one-round-trip reads; beyond, a finished file is closed and reopened to read. Default 512. */
  readonly maxOpenFiles?: number;
}

/** Spill I/O totals, for the benchmark: bytes moved and the time at least one transfer was in flight. */
export interface SpillIoStats {
  readonly bytesOut: number;
  readonly bytesIn: number;
  readonly filesOut: number;
  readonly filesIn: number;
  readonly busyMs: number;
}

export interface Entry {
  readonly id: string;
  readonly bytes: number;
  value: unknown;
  state: EntryState;
  disk: SpillFileInfo | undefined;
  /** Where the data is now (temp or final path) and its open handle, while it has one. */
  file: { path: string; handle: OpenSpillFile['handle'] | undefined; bytes: number } | undefined;
  /** Settles once the file is finished under its final name (or that failed). */
  finished: Promise<void> | undefined;
  /** Refs inside the value: kept alive while the value is on disk only. */
  refs: readonly Ref[];
  /** Why the value cannot be spilled (a class instance, a function...), if so. */
  unspillable: string | undefined;
  /** The value changed while it was written (`SKY_PRISTINE_VIOLATION`): every later write fails with this. */
  changed?: SkyloomError;
  writing: Promise<void> | undefined;
  reading: Promise<unknown> | undefined;
  freed: boolean;
  /** Freed for reuse while written or read: its bytes stay counted, and its buffers become spare ones, when that I/O ends. */
  recycleAfterIo?: boolean;
}

/** A `SKY_SPILL_WRITE` error for a spill file that could not be opened. */
export function openError(file: string, ref: string, cause: unknown): SkyloomError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SkyloomError(ErrorCode.SpillWrite, `could not open a spill file for ${file} (ref ${ref}): ${reason}`, { ref, cause });
}
