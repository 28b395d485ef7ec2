/** The options of `BudgetedStore.open`, validated there. */
import type { Emit } from '../events.ts';
import type { MemoryPolicyOptions } from './memory-policy-options.ts';
import type { SpillIo } from './spill-file.ts';

export interface BudgetedStoreOptions {
  /** Most resident store bytes: a byte count or a size such as `"512MB"`, `"2GiB"`. */
  readonly budget: number | string;
  /** Where spill files go; created if missing. The store deletes its files, not the directory. */
  readonly directory: string;
  /** Checksum typed arrays at put and re-check them at the borrower's next pause. */
  readonly verify: boolean;
  /** Receives spill-out / spill-in / memory events and retention warnings. */
  readonly emit?: Emit;
  /** Prefix of ref ids (and spill file names), so stores of different threads never collide. Default `r`. */
  readonly idPrefix?: string;
  /** Leave spill files on disk at `close()`, each synced to disk before its rename. Default false (files are not synced). */
  readonly keepFiles?: boolean;
  /** Warn when a spilled value is still held outside the store. Default: `verify`. */
  readonly retentionCheck?: boolean;
  /**
   * Bytes the process has grown by since the run began (`ProcessGrowth`): given, the budget covers
   * that growth too, not only the store's values, spare buffers, scratch arrays and taken values.
   * The store keeps less resident by what the process holds outside it (`MemoryPolicy`). Only for a
   * process with one budgeted store and nothing else of size running (RSS is the process's).
   */
  readonly processGrowth?: () => number;
  /** Tuning of the policy (headroom, writes in flight, prefetch lookahead). */
  readonly policy?: Omit<MemoryPolicyOptions, 'budget'>;
  /** File operations; tests inject failures. Default node:fs/promises. */
  readonly io?: SpillIo;
  /**
   * Called with a ref's id when its value leaves memory: `dropped` (spilled: on disk only) or `freed`
   * (gone). A cluster host attributes resident bytes to units with it. Must not throw.
   */
  readonly onLeave?: (id: string, how: 'dropped' | 'freed') => void;
}
