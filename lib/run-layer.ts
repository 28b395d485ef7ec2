import type { Algorithm } from './algorithm.ts';
import type { EventTap } from './event-log.ts';
import type { GroupJournal } from './journal.ts';

/** What a layer around a run is told when the run starts. */
export interface RunLayerStart {
  readonly runDir: string;
  readonly algorithm: Algorithm<unknown, unknown>;
  /** The run's input, deep-frozen. */
  readonly input: unknown;
  readonly seed: number;
  /** The runner's name. */
  readonly runner: string;
}

/**
 * Something kept around a run from outside the core, opened before the runner starts and finished
 * after it ends: the run ledger (`lib/ledger/keep-ledger.ts`) is one. The core knows only this shape:
 * it never loads a layer's modules itself, so a run (or a worker host) that keeps none loads none.
 */
export interface RunLayer {
  /** Told about every group the runners run (members, collectives), if the layer records them. */
  readonly journal?: GroupJournal;
  /**
   * Told of every event of the run as it is emitted, from before the runner starts: a tap, not a
   * subscriber to `job.events`, so the event log builds no object per event for it (`event-log.ts`).
   */
  readonly onEvent?: EventTap;
  /** The run ended with `outcome` (`finished` or `failed: CODE`); resolves once the layer is done. */
  finish(outcome: string): Promise<void>;
}

/** Opens a layer for one run. A rejection fails the run before its runner starts. */
export type OpenRunLayer = (run: RunLayerStart) => Promise<RunLayer>;
