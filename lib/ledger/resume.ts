import { ErrorCode, SkyloomError } from '../errors.ts';
import type { Job } from '../run.ts';
import { start, type StartOptions } from './keep-ledger.ts';
import { LedgerDb } from './ledger-db.ts';
import { loadAlgorithm } from './load-algorithm.ts';
import { ObjectStore } from './object-store.ts';
import type { Algorithm } from '../algorithm.ts';
import { changedModules } from './module-digests.ts';
import { algorithmProvenance, legacyAlgorithmDigest, readRunRecord, type RunRecord } from './run-record.ts';
import { ValueCodec } from './value-codec.ts';

export interface ResumeOptions extends Omit<StartOptions, 'runDir' | 'ledger' | 'seed'> {
  /**
   * Resume even though the algorithm's code changed since the run was recorded, or its ledger's WAL is
   * damaged (continuing from the records SQLite can read: units not recorded there run again).
   */
  readonly force?: boolean;
}

/**
 * Continues the run recorded in `runDir` after a crash, a kill or a failure: units whose outputs were
 * persisted are not run again (their outputs are read back), the rest run again, and the output is
 * the one an uninterrupted run gives. Fails with `SKY_NOT_A_RUN`, `SKY_RUN_NOT_STARTED`,
 * `SKY_LEDGER_DAMAGED`, `SKY_RUN_INCOMPATIBLE`, `SKY_RUN_LOCKED`, or `SKY_ALGORITHM_CHANGED` (unless
 * `force`) naming the changed files.
 */
export async function resume(runDir: string, options: ResumeOptions): Promise<Job<unknown>> {
  const db = LedgerDb.open(runDir, { readonly: true, acceptDamagedWal: options.force === true });
  let record;
  let input: unknown;
  try {
    record = readRunRecord(db, runDir);
    input = await new ValueCodec(new ObjectStore(runDir)).decode(record.inputDigest, {
      read: () => Promise.reject(new Error('a root input holds no refs')),
      write: () => Promise.reject(new Error('a root input holds no refs')),
    });
  } finally {
    db.close();
  }
  const alg = await loadAlgorithm(record.module, record.name);
  const changes = codeChanges(alg, record);
  if (changes.length > 0 && !options.force) {
    throw new SkyloomError(ErrorCode.AlgorithmChanged, `the code of algorithm ${record.name} changed since ${runDir} was recorded: ${changes.join(', ')}; resume with force (--force) to run it anyway`);
  }
  const { force, ...startOptions } = options;
  const keep = record.keep === 'all' ? true : record.keep === 'none' ? false : record.keep;
  return start(alg, input, { ...startOptions, seed: record.seed, runDir, ledger: { keep, resume: true, acceptDamagedWal: force === true } });
}

/** The run record of `runDir`, read-only (what a resume would continue); `force` as in `resume`. */
export function readRecordedRun(runDir: string, options: { readonly force?: boolean } = {}): RunRecord {
  const db = LedgerDb.open(runDir, { readonly: true, acceptDamagedWal: options.force === true });
  try {
    return readRunRecord(db, runDir);
  } finally {
    db.close();
  }
}

/** Which of the algorithm's files changed since the run was recorded (empty: none). */
function codeChanges(alg: Algorithm<unknown, unknown>, record: RunRecord): string[] {
  if (record.modules === undefined) return legacyAlgorithmDigest(alg) === record.algorithmDigest ? [] : [`${record.module} (changed)`];
  const now = algorithmProvenance(alg);
  if (now.digest === record.algorithmDigest) return [];
  const changes = changedModules(record.modules, now.modules);
  return changes.length > 0 ? changes : ['its module digest (changed)'];
}
