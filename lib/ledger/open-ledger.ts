import { existsSync, rmSync } from 'node:fs';
import { serialize } from 'node:v8';
import { findUncloneable } from '../clone-check.ts';
import { makeDirectory } from '../make-directory.ts';
import picomatch from 'picomatch';
import type { Algorithm } from '../algorithm.ts';
import { describeValue } from '../describe-value.ts';
import { codeOf, SkyloomError, ErrorCode, SkyloomTypeError } from '../errors.ts';
import type { EventTap } from '../event-log.ts';
import { LedgerDb, ledgerFile, ledgerSchemaVersion } from './ledger-db.ts';
import { LedgerJournal } from './ledger-journal.ts';
import { ObjectStore } from './object-store.ts';
import { PreviousAttempt } from './previous-attempt.ts';
import { TimelineRecorder } from './timeline-recorder.ts';
import { algorithmProvenance, readRunRecord, skyloomVersion, writeRunRecord } from './run-record.ts';
import { lockRun } from './run-lock.ts';
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
  /** With `resume`: open a ledger whose WAL is damaged, continuing from the records SQLite can read. */
  readonly acceptDamagedWal?: boolean;
  /** What the caller wants recorded of the run (plain JSON), e.g. the CLI's options; `RunRecord.options`. */
  readonly options?: Readonly<Record<string, unknown>>;
  /**
   * Record every unit step, collective and a memory sample every 100 ms for the run report
   * (`TimelineRecorder`). Default true; off only to measure what it costs (bench/ledger).
   */
  readonly timeline?: boolean;
}

export interface OpenLedger {
  readonly journal: LedgerJournal;
  /** Records the run's events for the report (steps, collectives; memory samples from the ledger's opening on); absent with `timeline: false`. */
  readonly onEvent?: EventTap;
  /** Records the outcome and closes; rejects with the first recording failure, if any. */
  finish(outcome: string): Promise<void>;
}

/**
 * Opens the ledger of a run in `runDir` (creating the directory) under the run's lock (`run-lock.ts`),
 * and records the run. The ledger file appears with its run record (algorithm and its modules'
 * digests, input, seed, options) already in it (`LedgerDb.createWith`), so a run killed at any point
 * can be resumed or, if it had no ledger yet, run again. A ledger without a run record and with nothing
 * recorded (made by an older skyloom) is taken over by a new run (`SKY_RUN_NOT_STARTED` to a resume).
 */
export function openLedger(runDir: string, alg: Algorithm<unknown, unknown>, input: unknown, run: { seed: number; runner: string }, options: LedgerOptions): OpenLedger {
  const keep = keepMatcher(options.keep ?? false);
  makeDirectory(runDir, 'run directory');
  const lock = lockRun(runDir);
  let db: LedgerDb;
  let codec: ValueCodec;
  try {
    if (!options.resume && existsSync(ledgerFile(runDir))) takeOverUnstarted(runDir);
    codec = new ValueCodec(new ObjectStore(runDir));
    if (options.resume) {
      db = LedgerDb.open(runDir, { acceptDamagedWal: options.acceptDamagedWal === true });
      readRunRecord(db, runDir);
    } else {
      const { moduleUrl: module, name } = alg;
      const keepText = typeof options.keep === 'string' ? options.keep : options.keep ? 'all' : 'none';
      const { digest, modules } = algorithmProvenance(alg);
      const inputDigest = rootInputObject(new ObjectStore(runDir), input);
      const record = { schema: ledgerSchemaVersion, skyloomVersion, module, name, algorithmDigest: digest, modules, inputDigest, seed: run.seed, runner: run.runner, keep: keepText, ...(options.options ? { options: options.options } : {}), started: new Date().toISOString() };
      db = LedgerDb.createWith(runDir, (fresh) => writeRunRecord(fresh, record)); // the ledger appears with its run record
    }
  } catch (error) {
    lock.release();
    throw error;
  }
  const journal = new LedgerJournal(db, codec, keep, options.resume ? new PreviousAttempt(db) : undefined);
  const timeline = options.timeline === false ? undefined : new TimelineRecorder(db);
  timeline?.start();
  return {
    journal,
    ...(timeline ? { onEvent: timeline.record } : {}),
    async finish(outcome: string) {
      timeline?.stop();
      journal.record(() => writeRunRecord(db, { ended: new Date().toISOString(), outcome }));
      try {
        await journal.close();
      } finally {
        db.close();
        lock.release();
      }
    },
  };
}

/**
 * A directory whose ledger holds a run refuses a new one; a ledger that recorded nothing (a run
 * stopped in its first milliseconds) is removed so the new run starts afresh.
 */
function takeOverUnstarted(runDir: string): void {
  const db = LedgerDb.open(runDir, { readonly: true });
  try {
    readRunRecord(db, runDir);
  } catch (error) {
    if (codeOf(error) !== ErrorCode.RunNotStarted) throw error;
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(ledgerFile(runDir) + suffix, { force: true });
    return;
  }
  db.close();
  throw new SkyloomError(ErrorCode.InvalidArgument, `${runDir} already holds a run: resume it, or start the new run in another directory`);
}

/** The root input as an object, written now (it holds no refs: the run has no store yet). */
function rootInputObject(objects: ObjectStore, input: unknown): string {
  let bytes: Buffer;
  try {
    bytes = serialize(input);
  } catch (cause) {
    const bad = findUncloneable(input, 'input');
    throw new SkyloomError(ErrorCode.NotCloneable, `the run's input cannot be recorded in the ledger: ${bad ? `${bad.path} is ${bad.what}` : (cause as Error).message}`, { unitPath: 'root', cause });
  }
  return objects.write(bytes);
}

function keepMatcher(keep: boolean | string): (path: string) => boolean {
  if (typeof keep === 'boolean') return () => keep;
  if (typeof keep !== 'string' || keep === '') throw new SkyloomTypeError('ledger.keep', 'true, false or a unit-path pattern', describeValue(keep));
  return picomatch(keep);
}
