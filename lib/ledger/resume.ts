import { ErrorCode, SkyloomError } from '../errors.ts';
import type { Job } from '../run.ts';
import { start, type StartOptions } from './keep-ledger.ts';
import { LedgerDb } from './ledger-db.ts';
import { loadAlgorithm } from './load-algorithm.ts';
import { ObjectStore } from './object-store.ts';
import { algorithmDigest, readRunRecord } from './run-record.ts';
import { ValueCodec } from './value-codec.ts';

export interface ResumeOptions extends Omit<StartOptions, 'runDir' | 'ledger' | 'seed'> {
  /** Resume even though the algorithm's module changed since the run was recorded. */
  readonly force?: boolean;
}

/**
 * Continues the run recorded in `runDir` after a crash, a kill or a failure: units whose outputs were
 * persisted are not run again (their outputs are read back), the rest run again, and the output is
 * the one an uninterrupted run gives. Fails with `SKY_NOT_A_RUN`, `SKY_RUN_INCOMPATIBLE`, or
 * `SKY_ALGORITHM_CHANGED` (unless `force`).
 */
export async function resume(runDir: string, options: ResumeOptions): Promise<Job<unknown>> {
  const db = LedgerDb.open(runDir, { readonly: true });
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
  if (algorithmDigest(alg) !== record.algorithmDigest && !options.force) {
    throw new SkyloomError(ErrorCode.AlgorithmChanged, `the module of algorithm ${record.name} (${record.module}) changed since ${runDir} was recorded; resume with force to run it anyway`);
  }
  const { force: _force, ...startOptions } = options;
  const keep = record.keep === 'all' ? true : record.keep === 'none' ? false : record.keep;
  return start(alg, input, { ...startOptions, seed: record.seed, runDir, ledger: { keep, resume: true } });
}
