import { existsSync } from 'node:fs';
import { makeDirectory } from '../make-directory.ts';
import picomatch from 'picomatch';
import type { Algorithm } from '../algorithm.ts';
import { describeValue } from '../describe-value.ts';
import { SkyloomError, ErrorCode, SkyloomTypeError } from '../errors.ts';
import type { RefAccess } from '../journal.ts';
import type { Observable } from 'rxjs/internal/Observable';
import type { RunEvent } from '../events.ts';
import { LedgerDb, ledgerFile, ledgerSchemaVersion } from './ledger-db.ts';
import { LedgerJournal } from './ledger-journal.ts';
import { ObjectStore } from './object-store.ts';
import { PreviousAttempt } from './previous-attempt.ts';
import { TimelineRecorder } from './timeline-recorder.ts';
import { algorithmDigest, readRunRecord, skyloomVersion, writeRunRecord } from './run-record.ts';
import { ValueCodec } from './value-codec.ts';

export interface LedgerOptions {
  /**
   * Keep the inputs of units so any of them can be replayed alone: `true` (all), `false` (none, the
   * default) or a picomatch pattern of unit paths such as `root/visit:*\/sensor:*`. Outputs and
   * collective results are always kept: resuming needs them.
   */
  readonly keep?: boolean | string;
  /** Continue the run recorded in `runDir` instead of starting a new one (see `resume()`). */
  readonly resume?: boolean;
  /**
   * Record every unit step, collective and a memory sample every 100 ms for the run report
   * (`TimelineRecorder`). Default true; off only to measure what it costs (bench/ledger).
   */
  readonly timeline?: boolean;
}

export interface OpenLedger {
  readonly journal: LedgerJournal;
  /** Records the run's events for the report (steps, collectives, memory samples), unless `timeline: false`. */
  observe(events: Observable<RunEvent>): void;
  /** Records the outcome and closes; rejects with the first recording failure, if any. */
  finish(outcome: string): Promise<void>;
}

/** Refs cannot appear in a root input: the run has no store yet. */
const noRefs: RefAccess = {
  read: () => Promise.reject(new Error('a root input cannot hold refs')),
  write: () => Promise.reject(new Error('a root input cannot hold refs')),
};

/** Opens the ledger of a run in `runDir` (creating the directory), and records the run. */
export function openLedger(runDir: string, alg: Algorithm<unknown, unknown>, input: unknown, run: { seed: number; runner: string }, options: LedgerOptions): OpenLedger {
  const keep = keepMatcher(options.keep ?? false);
  if (!options.resume && existsSync(ledgerFile(runDir))) {
    throw new SkyloomError(ErrorCode.InvalidArgument, `${runDir} already holds a run: resume it, or start the new run in another directory`);
  }
  makeDirectory(runDir, 'run directory');
  const db = options.resume ? LedgerDb.open(runDir) : LedgerDb.create(runDir);
  if (options.resume) readRunRecord(db, runDir);
  const codec = new ValueCodec(new ObjectStore(runDir));
  const journal = new LedgerJournal(db, codec, keep, options.resume ? new PreviousAttempt(db) : undefined);
  if (!options.resume) {
    journal.record(async () => {
      const inputDigest = await codec.encode(input, noRefs, true);
      const { moduleUrl: module, name } = alg;
      const keepText = typeof options.keep === 'string' ? options.keep : options.keep ? 'all' : 'none';
      writeRunRecord(db, { schema: ledgerSchemaVersion, skyloomVersion, module, name, algorithmDigest: algorithmDigest(alg), inputDigest, seed: run.seed, runner: run.runner, keep: keepText, started: new Date().toISOString() });
    });
  }
  const timeline = options.timeline === false ? undefined : new TimelineRecorder(db);
  return {
    journal,
    observe: (events) => timeline?.observe(events),
    async finish(outcome: string) {
      timeline?.stop();
      journal.record(() => writeRunRecord(db, { ended: new Date().toISOString(), outcome }));
      try {
        await journal.close();
      } finally {
        db.close();
      }
    },
  };
}

function keepMatcher(keep: boolean | string): (path: string) => boolean {
  if (typeof keep === 'boolean') return () => keep;
  if (typeof keep !== 'string' || keep === '') throw new SkyloomTypeError('ledger.keep', 'true, false or a unit-path pattern', describeValue(keep));
  return picomatch(keep);
}
