import { rm } from 'node:fs/promises';
import { resume, start, type Runner, type RunEvent } from '../../lib/index.ts';
import { interpret } from './interpreter.ts';
import { freshRunDir, outcomeOf, type Outcome } from './observe.ts';
import type { Program } from './program.ts';

/** What a resumed run did, after its first attempt was cancelled. */
export interface ResumedObservation {
  /** The resumed run's outcome. */
  readonly outcome: Outcome;
  /** True if the first attempt was cancelled (false: it had ended before the cancel point came). */
  readonly interrupted: boolean;
  /** Units the first attempt finished, and units the resumed run started again. */
  readonly finishedBefore: number;
  readonly startedAgain: number;
}

/**
 * Runs `program` with a ledger and cancels it at its `cancelAt`-th event that says a unit finished or
 * a collective completed, then `resume`s the run on the same runner: recorded outputs and central
 * results stand in for the units and collectives of the first attempt. The resumed run must give what
 * an uninterrupted run gives (`docs/architecture/ledger.md`).
 *
 * It does not check what the ledger holds, only what the resumed run returns.
 */
export async function observeResumed(runner: Runner, program: Program, cancelAt: number, verify: boolean): Promise<ResumedObservation> {
  const runDir = await freshRunDir();
  try {
    const first = start(interpret, { program, acc: 7, refs: [] }, { runner, seed: 42, runDir, verify, ledger: true });
    let seen = 0;
    let finishedBefore = 0;
    let cancelled = false;
    const watch = first.events.subscribe({
      next: (event: RunEvent) => {
        if (event.type === 'unit-finished') finishedBefore++;
        if (event.type !== 'unit-finished' && event.type !== 'collective-completed') return;
        if (++seen === cancelAt) {
          cancelled = true;
          first.cancel();
        }
      },
    });
    const firstOutcome = await outcomeOf(first.result);
    watch.unsubscribe();
    const again = await resume(runDir, { runner, verify });
    let startedAgain = 0;
    const count = again.events.subscribe({ next: (event: RunEvent) => void (event.type === 'unit-started' && startedAgain++) });
    const outcome = await outcomeOf(again.result);
    count.unsubscribe();
    const interrupted = cancelled && !firstOutcome.ok && firstOutcome.chain.some((link) => link.code === 'SKY_CANCELLED');
    return { outcome, interrupted, finishedBefore, startedAgain };
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}
