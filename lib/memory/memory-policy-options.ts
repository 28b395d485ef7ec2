/**
 * What a `MemoryPolicy` is given: its tuning (budget, write-behind headroom and writes in flight,
 * prefetch lookahead) and the store's hooks, and the shape of the spare buffers a request could take.
 * Types only; the policy itself is `memory-policy.ts`.
 */
export interface MemoryPolicyOptions {
  readonly budget: number;
  /**
   * Fraction of the budget write-behind keeps free, droppable at once or being written, once the store
   * has had to write to make room (before that nothing is written ahead: what it holds fits). Default 0.75:
   * a write ends, as far as the event loop sees it, only at the first pause after the kernel is done, so
   * the room it makes comes a step or two after it starts; with half the budget, writes started only
   * every other step and reads ahead waited for them (bench:laptop: 2 of 3 takes waited for their read).
   */
  readonly headroom?: number;
  /** Most writes in flight from write-behind. Default 2. */
  readonly maxWrites?: number;
  /** How many units after the starting one to prefetch for. Default 2. */
  readonly lookahead?: number;
  /**
   * At a put, also make room for what the next unit will likely add before it puts it (see
   * `MemoryPolicy`'s `#nextGrowth`), so that its value and a full store do not meet. Default false:
   * working memory taken with `scratch` is counted when it is taken, and making room ahead of it
   * would let go of the spare buffers it would have reused.
   */
  readonly reserveNext?: boolean;
}

/** What spare buffers a request could take: a read's exact sizes, or one of a scratch array's range. */
export type Spare = readonly number[] | { readonly between: readonly [least: number, most: number] };

export interface PolicyHooks {
  readonly reusable?: (id: string) => boolean;
  /** Bytes running steps hold outside any entry (scratch arrays, taken values), for budget errors. */
  readonly heldBytes?: () => number;
  /**
   * Bytes the process's resident memory has grown by since the run began (`ProcessGrowth`): with it
   * the budget covers the process's growth, not only the store's. Must not throw; should be cheap.
   */
  readonly processGrowth?: () => number;
}
