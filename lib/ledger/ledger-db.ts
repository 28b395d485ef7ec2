import type Database from 'better-sqlite3';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { codeOf, ErrorCode, SkyloomError } from '../errors.ts';
import { checkLedgerFiles } from './ledger-files.ts';

/** Bump when the tables change in a way an older reader would misread. */
export const ledgerSchemaVersion = 2;

const schema = `
CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (
  path TEXT PRIMARY KEY, parent TEXT, grp TEXT NOT NULL, idx INTEGER NOT NULL,
  module TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  started REAL, ended REAL, error_code TEXT, error_message TEXT, error_site TEXT,
  input_digest TEXT, input_kept INTEGER NOT NULL DEFAULT 0, output_digest TEXT, bytes_put INTEGER);
CREATE TABLE IF NOT EXISTS collectives (
  grp TEXT NOT NULL, number INTEGER NOT NULL, members INTEGER NOT NULL, per_member INTEGER NOT NULL,
  result_digest TEXT NOT NULL, ended REAL NOT NULL, live TEXT, PRIMARY KEY (grp, number));
CREATE TABLE IF NOT EXISTS left_members (grp TEXT PRIMARY KEY, members TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS replies (
  path TEXT NOT NULL, number INTEGER NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (path, number));
`;

/** better-sqlite3, required when a ledger is opened: importing skyloom (every worker host does) must not load it. */
const sqlite = (): typeof Database => createRequire(import.meta.url)('better-sqlite3') as typeof Database;

export const ledgerFile = (runDir: string): string => join(runDir, 'ledger.sqlite');

/**
 * SQLite's page cache of a ledger being written, in KiB (as a negative `cache_size`). The ledger is
 * appended to and rarely read during a run, so a small cache costs nothing; better-sqlite3's default
 * (16,000 KiB) grew the process by 7 MB over 80,000 rows and would grow it by up to 16 MB on a long
 * run, outside the memory budget.
 */
const pageCacheKiB = -256;

/**
 * The run ledger's database (better-sqlite3, WAL), written only by the coordinating thread. Writes are
 * queued and committed together in one transaction every `flushMs` (or when `flush()` is called), so
 * recording costs little; a crash loses at most the last batch, never leaves a half-written one.
 */
export class LedgerDb {
  readonly db: Database.Database;
  readonly #queue: { sql: string; params: unknown[] }[] = [];
  readonly #statements = new Map<string, Database.Statement>();
  readonly #flushMs: number;
  #timer: NodeJS.Timeout | undefined;

  private constructor(db: Database.Database, flushMs: number) {
    this.db = db;
    this.#flushMs = flushMs;
  }

  /** Creates (or reopens, to resume) the ledger of `runDir`. */
  static create(runDir: string, flushMs = 25): LedgerDb {
    const db = new (sqlite())(ledgerFile(runDir));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = ${pageCacheKiB}`);
    db.exec(schema);
    return new LedgerDb(db, flushMs);
  }

  /**
   * Creates the ledger of `runDir` with `init`'s writes (the run record) already in it: they are made
   * in `ledger.sqlite.new`, which is closed (checkpointed) and renamed into place, so a process killed
   * at any point leaves either no ledger or one with its run record, never one without.
   */
  static createWith(runDir: string, init: (db: LedgerDb) => void, flushMs = 25): LedgerDb {
    const file = ledgerFile(runDir);
    const fresh = `${file}.new`;
    for (const suffix of ['', '-wal', '-shm']) rmSync(fresh + suffix, { force: true });
    const db = new LedgerDb(new (sqlite())(fresh), flushMs);
    try {
      db.db.pragma('journal_mode = WAL');
      db.db.exec(schema);
      init(db);
    } finally {
      db.close();
    }
    renameSync(fresh, file);
    return LedgerDb.create(runDir, flushMs);
  }

  /**
   * Opens an existing ledger; `SKY_NOT_A_RUN` if `runDir` has none, `SKY_LEDGER_DAMAGED` if its files
   * are damaged (checked before SQLite sees them: `ledger-files.ts`) or SQLite cannot read it. Read-only
   * opens never write the ledger or its WAL.
   */
  static open(runDir: string, options: { readonly readonly?: boolean; readonly acceptDamagedWal?: boolean } = {}): LedgerDb {
    const file = ledgerFile(runDir);
    checkLedgerFiles(runDir, file, options);
    let db: Database.Database | undefined;
    try {
      db = new (sqlite())(file, { readonly: options.readonly ?? false, fileMustExist: true });
      if (!options.readonly) db.pragma('journal_mode = WAL');
      if (!options.readonly) db.pragma(`cache_size = ${pageCacheKiB}`);
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new SkyloomError(ErrorCode.LedgerDamaged, `${runDir}: ledger.sqlite fails SQLite's integrity check (${String(check)}); ${recoverable(runDir)}`);
    } catch (error) {
      db?.close();
      if (error instanceof SkyloomError) throw error;
      const reason = error instanceof Error ? `${codeOf(error) ?? error.name}: ${error.message}` : String(error);
      throw new SkyloomError(ErrorCode.LedgerDamaged, `${runDir}: ledger.sqlite cannot be read as a SQLite database (${reason}); ${recoverable(runDir)}`, { cause: error });
    }
    return new LedgerDb(db, 25);
  }

  /** Queues a write; it reaches the database with the next batch. */
  write(sql: string, ...params: unknown[]): void {
    this.#queue.push({ sql, params });
    this.#timer ??= setTimeout(() => this.flush(), this.#flushMs).unref();
  }

  /** Commits every queued write in one transaction. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.length === 0) return;
    const batch = this.#queue.splice(0);
    this.db.transaction(() => {
      for (const { sql, params } of batch) this.#statement(sql).run(...params);
    })();
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.#statement(sql).all(...params) as T[];
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.#statement(sql).get(...params) as T | undefined;
  }

  close(): void {
    this.flush();
    this.db.close();
  }

  #statement(sql: string): Database.Statement {
    let s = this.#statements.get(sql);
    if (!s) this.#statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
}

/** What is left when the database itself is unreadable: the content-addressed objects, without the index saying whose they are. */
function recoverable(runDir: string): string {
  const objects = join(runDir, 'objects');
  const count = existsSync(objects) ? readdirSync(objects).reduce((n, d) => n + readdirSync(join(objects, d)).length, 0) : 0;
  return `the files were left as they are. The run's ${count} output and input objects in objects/ are intact (content-addressed) but cannot be matched to units without the ledger: start the run again in another directory`;
}
