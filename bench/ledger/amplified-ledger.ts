/**
 * A run with the CLI's ledger and `copies` timeline recorders instead of one (bench/ledger's
 * `ledger-copies` mode): the ledger's own recorder, as `run(…, { ledger })` opens it, plus `copies - 1`
 * more `TimelineRecorder`s told of the same events by the same tap, each sampling on its own timer and
 * writing into a ledger database of its own in the run directory (`timeline-copies/N/`). The
 * recording's cost is then `copies` times over, so the A/B against runs without it resolves a
 * `copies`-th of the noise: the cost of one recorder is (ratio − 1) / copies. Each extra recorder pays
 * at least what the real one does: its own database's creation, and its own 25 ms commits for every
 * row it writes (the real recorder's rows often go out in the journal's commits), so the figure
 * overstates the cost of one. (Copies sharing one database would share its commits: a recorder whose
 * sample starts a commit of its own, in a quiet spell of the journal, would be undercounted.)
 *
 * It does not time anything, nor is it how skyloom runs (one recorder per ledger).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Algorithm } from '../../lib/algorithm.ts';
import { LedgerDb } from '../../lib/ledger/ledger-db.ts';
import { openLedger } from '../../lib/ledger/open-ledger.ts';
import { TimelineRecorder } from '../../lib/ledger/timeline-recorder.ts';
import type { RunResult, StartOptions } from '../../lib/run.ts';
import { startRun } from '../../lib/run.ts';

export function runWithRecorders<I, O>(alg: Algorithm<I, O>, input: I, options: StartOptions, copies: number): Promise<RunResult<O>> {
  return startRun(alg, input, options, async ({ runDir, algorithm, input: frozen, seed, runner }) => {
    const ledger = openLedger(runDir, algorithm, frozen, { seed, runner }, {}); // the CLI's ledger: timeline on
    const dbs = Array.from({ length: copies - 1 }, (_, i) => {
      const dir = join(runDir, 'timeline-copies', String(i + 1));
      mkdirSync(dir, { recursive: true });
      return LedgerDb.create(dir);
    });
    const extra = dbs.map((db) => new TimelineRecorder(db));
    for (const recorder of extra) recorder.start();
    const own = ledger.onEvent;
    if (!own) throw new Error('the ledger opened without its timeline recorder');
    return {
      journal: ledger.journal,
      onEvent: (event, t) => {
        own(event, t);
        for (const recorder of extra) recorder.record(event, t);
      },
      async finish(outcome) {
        for (const recorder of extra) recorder.stop();
        for (const db of dbs) db.close();
        await ledger.finish(outcome);
      },
    };
  }).result;
}
