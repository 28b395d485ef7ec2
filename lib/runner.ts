import type { Algorithm } from './algorithm.ts';
import type { Emit } from './events.ts';
import type { GroupJournal } from './journal.ts';
import type { StatsRecorder } from './stats.ts';

/** What a runner is given for one run. */
export interface RunContext {
  readonly algorithm: Algorithm<unknown, unknown>;
  readonly input: unknown;
  readonly seed: number;
  /** Checksum typed arrays at put and re-check at the borrower's next pause. */
  readonly verify: boolean;
  /** Aborted when the job is cancelled. */
  readonly signal: AbortSignal;
  readonly emit: Emit;
  /**
   * The run's own directory (spill files, ledger). Not created by `start`: whoever needs it creates
   * it, and removes what it made at the end unless told to keep it.
   */
  readonly runDir: string;
  readonly stats: StatsRecorder;
  /** The run's ledger, when it keeps one: runners hand it to every group they run. */
  readonly journal?: GroupJournal;
}

/**
 * Carries out the pauses of a run. `execute` resolves with the root's output or rejects with the
 * root's failure (`SKY_UNIT_FAILED`). A runner may be reused for several runs, one after another or at
 * once; everything of one run lives in that `execute` call.
 */
export interface Runner {
  readonly name: string;
  execute(run: RunContext): Promise<unknown>;
}

/** True for a value shaped like a runner. Never throws. */
export function isRunner(value: unknown): value is Runner {
  return typeof value === 'object' && value !== null && typeof (value as Runner).execute === 'function' && typeof (value as Runner).name === 'string';
}
