/**
 * The run's events. Every runner reports the same unit and collective events; runners with a memory
 * budget add spill and memory events. `t` is milliseconds since the run started.
 *
 * Paused/resumed are reported at scatters and gathers only (where a unit waits for others); put and
 * get are carried out within a step and only counted in the stats.
 */
export type RunEventBody = (
  | { readonly type: 'unit-started'; readonly path: string }
  | { readonly type: 'unit-paused'; readonly path: string; readonly site: string }
  | { readonly type: 'unit-resumed'; readonly path: string; readonly site: string }
  | { readonly type: 'unit-finished'; readonly path: string }
  | { readonly type: 'unit-failed'; readonly path: string; readonly site: string; readonly code: string; readonly message: string }
  | { readonly type: 'unit-cancelled'; readonly path: string }
  | { readonly type: 'collective-completed'; readonly group: string; readonly number: number; readonly members: number }
  | { readonly type: 'log'; readonly path: string; readonly message: string }
  /** `path` (cluster hosts): the unit that put the ref. */
  | { readonly type: 'spill-out'; readonly ref: string; readonly bytes: number; readonly path?: string }
  | { readonly type: 'spill-in'; readonly ref: string; readonly bytes: number; readonly path?: string }
  /**
   * One store's figures (a cluster run has one store per host: `host`). `units` (cluster hosts): that
   * store's resident bytes by the root's child whose units put them (`root/visit:3`; `root` for the
   * root's own), so concurrent subtrees' memory can be told apart. A budgeted store's bytes: resident
   * (`held` included), spilled to disk, its budget.
   */
  | {
      readonly type: 'memory';
      readonly resident: number;
      readonly spilled: number;
      readonly budget: number;
      /** Bytes of scratch arrays and taken values in units' hands (included in `resident`). */
      readonly held?: number;
      /** Bytes of buffers the store let go of whose pages went back to the kernel but that V8 has not collected yet: `process.memoryUsage().arrayBuffers` still counts them, RSS does not. */
      readonly returned?: number;
      /** With a budget that covers the process (laptop `budgetCovers: 'process'`): the resident bytes the store allows itself now, the budget less what the process grew by outside the store. */
      readonly limit?: number;
      readonly host?: number;
      readonly units?: Readonly<Record<string, number>>;
    }
  | { readonly type: 'warning'; readonly path: string; readonly code: string; readonly message: string }
) & { readonly origin?: EventOrigin };

/**
 * Where and when an event happened, stamped by a worker host (a cluster thread, a Slurm task): its
 * events reach the run with the host's next answer, later than they happened. Events of the run's
 * own thread (inline, laptop, the cluster coordinator) have none.
 */
export interface EventOrigin {
  /** The host's name: `worker 2` (a cluster thread), `slurm task 3 on node-a`. */
  readonly host: string;
  /** When, in epoch milliseconds (fractional) on the host's clock. */
  readonly at: number;
}

export type RunEvent = RunEventBody & { readonly t: number };

export type RunEventType = RunEvent['type'];

/** Where code reports events. */
export type Emit = (event: RunEventBody) => void;
