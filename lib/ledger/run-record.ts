import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Algorithm } from '../algorithm.ts';
import { ErrorCode, SkyloomError } from '../errors.ts';
import { ledgerSchemaVersion, type LedgerDb } from './ledger-db.ts';

/** What the ledger records of the run itself (table `run`, one row per key). */
export interface RunRecord {
  readonly schema: number;
  readonly skyloomVersion: string;
  readonly module: string;
  readonly name: string;
  /** SHA-1 of the algorithm module's source file (or of the function's text if it has no file). */
  readonly algorithmDigest: string;
  /** Object id of the root input (always kept: resume needs it). */
  readonly inputDigest: string;
  readonly seed: number;
  readonly runner: string;
  /** Which units' inputs are kept for replay: `all`, `none` or a picomatch pattern. */
  readonly keep: string;
  readonly started: string;
  readonly ended?: string;
  readonly outcome?: string;
}

export const skyloomVersion: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

export function algorithmDigest(alg: Algorithm<unknown, unknown>): string {
  let source: string;
  try {
    source = readFileSync(fileURLToPath(alg.moduleUrl), 'utf8');
  } catch {
    source = Function.prototype.toString.call(alg.fn);
  }
  return createHash('sha1').update(source).digest('hex');
}

export function writeRunRecord(db: LedgerDb, record: Partial<RunRecord>): void {
  for (const [key, value] of Object.entries(record)) {
    db.write('INSERT INTO run(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, JSON.stringify(value));
  }
}

/** Reads the run record; `SKY_RUN_INCOMPATIBLE` if another ledger schema or skyloom major version wrote it. */
export function readRunRecord(db: LedgerDb, runDir: string): RunRecord {
  const rows = db.all<{ key: string; value: string }>('SELECT key, value FROM run');
  const record = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown])) as unknown as RunRecord;
  if (record.schema === undefined || record.module === undefined) {
    throw new SkyloomError(ErrorCode.NotARun, `${runDir} is not a skyloom run directory: its ledger has no run record`);
  }
  const major = (v: string): string => v.split('.')[0] ?? v;
  if (record.schema !== ledgerSchemaVersion || major(record.skyloomVersion) !== major(skyloomVersion)) {
    const message = `${runDir} was made by skyloom ${record.skyloomVersion} (ledger schema ${record.schema}); this is skyloom ${skyloomVersion} (schema ${ledgerSchemaVersion})`;
    throw new SkyloomError(ErrorCode.RunIncompatible, message);
  }
  return record;
}
