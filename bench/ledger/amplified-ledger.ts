/**
 * A run with the CLI's ledger and `copies` timeline recorders instead of one (bench/ledger's
 * `ledger-copies` mode): the ledger's own recorder, as `run(…, { ledger })` opens it, plus `copies - 1`
 * more `TimelineRecorder`s told of the same events by the same tap, each sampling on its own timer and
 * writing through a connection of its own to one extra ledger database in the run directory
 * (`timeline-copies/`). The recording's cost is then `copies` times over, so the A/B against runs
 * without it resolves a `copies`-th of the noise: the cost of one recorder is (ratio − 1) / copies.
 * Each extra recorder pays its own 25 ms commits for every row it writes (the real recorder's rows
 * often go out in the journal's commits) and opening its connection; the database's creation and
 * final checkpoint are paid once, as the real recorder shares the ledger's. Not covered: the tables
 * are created by the first extra recorder only (later ones find them), where the real one creates
 * them in the ledger. Earlier designs, one connection shared by all copies (its commits shared: a
 * recorder whose sample starts a commit in a quiet spell of the journal undercounted) and a database
 * per copy (each creating and checkpointing a file: overcounted), are in docs/architecture/report.md.
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
    // One database, created once (the real recorder writes into the existing ledger), and a connection
    // of its own per extra recorder: each has its own queue and its own 25 ms commits.
    const dir = join(runDir, 'timeline-copies');
    mkdirSync(dir);
    const first = LedgerDb.create(dir);
    const dbs = [first, ...Array.from({ length: copies - 2 }, () => LedgerDb.open(dir))];
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
