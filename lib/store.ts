import type { SkyloomError } from './errors.ts';
import type { PutOptions } from './put.ts';
import type { ScratchOp } from './primitive.ts';
import type { Ref } from './ref.ts';
import type { ScratchArray } from './scratch.ts';

/** Whoever borrows from the store: a unit, known by its path. */
export interface Borrower {
  readonly path: string;
}

/**
 * What a unit needs from a store during a step. A step is the stretch of a unit's code between two
 * pauses at a scatter or gather (or its start and end); `put` and `get` happen inside steps.
 *
 * Implementations are mechanism: an in-memory map (`MemoryStore`), or one that spills to disk under a
 * memory policy. They may answer synchronously or with a promise.
 */
export interface Store {
  /**
   * Optional: the borrower is about to be resumed (e.g. read back what it borrowed in its previous
   * step, so the read overlaps other work). Must not throw; a failure shows at the next `get`.
   */
  beginStep?(borrower: Borrower): void | Promise<void>;
  /**
   * Deep-freezes and keeps `value`; returns its ref. With `transfer`, the value's buffers are the
   * store's (see `PutOptions`); throws `SKY_TRANSFER` if they cannot be, or if any is detached.
   */
  put(value: unknown, borrower: Borrower, options?: PutOptions): Ref | Promise<Ref>;
  /** The value behind `ref`; the borrower borrows it until `endStep`. Throws `SKY_UNKNOWN_REF`. */
  get(ref: Ref, borrower: Borrower): unknown;
  /**
   * The value behind a transfer ref the borrower put and kept to itself, given to it: the ref is gone
   * (a later `get` throws `SKY_UNKNOWN_REF`) and the value's buffers are the borrower's to change.
   * Throws `SKY_TRANSFER` for any other ref.
   */
  take(ref: Ref, borrower: Borrower): unknown;
  /**
   * Optional: a zero-filled scratch array of `op.length` elements for the borrower's step, counted
   * against the budget until the step ends (or until the borrower puts it: then it is that value's
   * memory). Rejects with `SKY_MEMORY_BUDGET` when it cannot fit. Without it, the unit allocates one.
   */
  scratch?(op: ScratchOp, borrower: Borrower): ScratchArray | Promise<ScratchArray>;
  /**
   * The borrower's step ended: in verify mode, re-check the checksums of what it borrowed and return a
   * `SKY_PRISTINE_VIOLATION` error if a buffer changed; then release its borrows. `leaving` is what the
   * pause hands on (a gathered value, an output, scatter inputs): shared from now on (see `share`).
   * Never throws.
   */
  endStep(borrower: Borrower, leaving?: unknown): SkyloomError | undefined;
  /**
   * Optional: the borrower ended (returned, failed or was cancelled), after its last `endStep`. A
   * store may free at once the refs only it could reach (transfer refs whose handles never left it)
   * rather than wait for a garbage collection to show they are unreachable. Never throws.
   */
  endUnit?(borrower: Borrower): void;
  /**
   * Optional: `value` reached a unit from outside (its input, a gather's or scatter's result): its
   * buffers are not the unit's to transfer, nor its refs the unit's to take. Never throws.
   */
  share?(value: unknown): void;
  /** Bytes held now, and the most held at once. */
  readonly bytes: number;
  readonly peakBytes: number;
  /** Frees everything; the store is not used after this. */
  close(): void | Promise<void>;
}
