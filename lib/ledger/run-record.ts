import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Algorithm } from '../algorithm.ts';
import { ErrorCode, SkyloomError } from '../errors.ts';
import { ledgerSchemaVersion, type LedgerDb } from './ledger-db.ts';
import { combinedDigest, moduleDigests } from './module-digests.ts';

/** What the ledger records of the run itself (table `run`, one row per key). */
export interface RunRecord {
  readonly schema: number;
  readonly skyloomVersion: string;
  readonly module: string;
  readonly name: string;
  /** One digest over `modules` (or the function's text if it has no file; older ledgers: the root module's file alone). */
  readonly algorithmDigest: string;
  /** Project-relative path → SHA-1 of every project module the algorithm imports, transitively (absent in older ledgers). */
  readonly modules?: Readonly<Record<string, string>>;
  /** What the caller chose to record of the run, e.g. the CLI's options, so a resume can use them (`LedgerOptions.options`). */
  readonly options?: Readonly<Record<string, unknown>>;
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

/**
 * The algorithm's provenance: the SHA-1 of every project module it imports, transitively
 * (`module-digests.ts`), and one digest over them. An algorithm with no module file (its URL is not a
 * file) is digested by its function's text.
 */
export function algorithmProvenance(alg: Algorithm<unknown, unknown>): { readonly digest: string; readonly modules: Readonly<Record<string, string>> } {
  let file: string | undefined;
  try {
    file = fileURLToPath(alg.moduleUrl);
    if (!existsSync(file)) file = undefined;
  } catch {
    file = undefined;
  }
  if (file === undefined) return { digest: createHash('sha1').update(Function.prototype.toString.call(alg.fn)).digest('hex'), modules: {} };
  const modules = moduleDigests(file);
  return { digest: combinedDigest(modules), modules };
}

/** Schema-2 ledgers written before `modules` was recorded digested the root module's file alone. */
export function legacyAlgorithmDigest(alg: Algorithm<unknown, unknown>): string {
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
  const rows = tableRows<{ key: string; value: string }>(db, 'SELECT key, value FROM run');
  const record = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as unknown])) as unknown as RunRecord;
  if (record.schema === undefined || record.module === undefined || record.inputDigest === undefined) {
    const units = tableRows<{ n: number }>(db, 'SELECT count(*) AS n FROM units')[0]?.n ?? 0;
    if (units > 0 || rows.length > 0) {
      throw new SkyloomError(ErrorCode.LedgerDamaged, `${runDir}: its ledger records ${units} unit(s) but ${rows.length > 0 ? 'an incomplete' : 'no'} run record (algorithm, input, seed), so the run cannot be resumed or summarised`);
    }
    throw new SkyloomError(ErrorCode.RunNotStarted, `${runDir} holds a ledger with no run record and nothing recorded: the run was stopped in its first milliseconds, before it recorded itself, and computed nothing. Start it again: a new run in this directory takes it over`);
  }
  const major = (v: string): string => v.split('.')[0] ?? v;
  if (record.schema !== ledgerSchemaVersion || major(record.skyloomVersion) !== major(skyloomVersion)) {
    const message = `${runDir} was made by skyloom ${record.skyloomVersion} (ledger schema ${record.schema}); this is skyloom ${skyloomVersion} (schema ${ledgerSchemaVersion})`;
    throw new SkyloomError(ErrorCode.RunIncompatible, message);
  }
  return record;
}

/** Rows of `sql`, or none when its table does not exist (a ledger stopped while being created). */
function tableRows<T>(db: LedgerDb, sql: string): T[] {
  try {
    return db.all<T>(sql);
  } catch (error) {
    if (error instanceof Error && /no such table/.test(error.message)) return [];
    throw error;
  }
}
