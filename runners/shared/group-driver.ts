import type { Reply } from '../../lib/activator.ts';
import type { CollectiveArrival } from '../../lib/collective.ts';

/**
 * How a member ended its phase, as seen by the group. A member that ended may say how many bytes it
 * put into the store over its life (`bytesPut`), for the ledger.
 */
export type MemberArrival = (
  | CollectiveArrival
  | { readonly kind: 'failed'; readonly error: unknown; readonly site: string }
  /** The member was cancelled while it was running its step. */
  | { readonly kind: 'cancelled' }
) & { readonly bytesPut?: number };

/** A member's failure, as the group sees it. */
export type FailedArrival = Extract<MemberArrival, { kind: 'failed' }>;

/**
 * What `runGroup` needs from a runner to run one group, wherever its members live (this thread, or
 * worker hosts). The driver carries out scatters inside a member's phase itself.
 */
export interface GroupDriver {
  /** The members' unit paths, in member order. */
  readonly paths: readonly string[];
  /** Resumes member `i` with `reply` (its first call starts it) and runs it to its next gather or its end. Never rejects. */
  toCollective(i: number, reply: Reply): Promise<MemberArrival>;
  /**
   * Runs the central function the first of `members` holds at its current gather on `values` (those
   * members' values, in member order; `members` is every member unless some left the group under
   * `onFailure: 'collect'`), and passes it `members` too. Never rejects.
   */
  central(values: unknown[], members: readonly number[]): Promise<Reply>;
  /**
   * Cancels member `i`: idempotent; a no-op for a member that never started or has ended. Never rejects.
   * A member cancelled while it runs its step may have `toCollective` resolve with `cancelled` before
   * that step ends (the cluster driver does: a worker thread cannot be interrupted).
   */
  cancel(i: number): Promise<void>;
  /**
   * Watches member `i`, which waits at a gather, and calls `onFailed` once if it fails there before it
   * is resumed; returns a function that stops watching. Only the cluster driver has it: its members
   * fail while they wait when their worker host is lost. Members in this thread cannot.
   */
  watchWaiting?(i: number, onFailed: (arrival: FailedArrival) => void): () => void;
}
