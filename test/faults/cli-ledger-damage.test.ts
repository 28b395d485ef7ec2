/**
 * Fault matrix, damaged ledgers: status and resume never write a ledger they cannot read (a 0-byte
 * database keeps its WAL), and damage is reported as SKY_LEDGER_DAMAGED saying what is damaged and what
 * can be recovered, never a raw SqliteError or a misleading SKY_NOT_A_RUN. A ledger stopped in its first
 * milliseconds by an older skyloom (no run record, nothing recorded) is SKY_RUN_NOT_STARTED and is taken
 * over by a new run; a new ledger appears with its run record in it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, resume, run } from '../../lib/index.ts';
import { LedgerDb } from '../../lib/ledger/ledger-db.ts';
import { checkWal } from '../../lib/ledger/ledger-files.ts';
import { readRunStatus } from '../../lib/ledger/run-status.ts';
import { inlineRunner } from '../../runners/index.ts';
import { visits } from '../lib/ledger/fixtures/visits.ts';
import { scratchDir, skyloom, stackFrame } from './cli-helpers.ts';

const base = scratchDir('faults-ledger');
const input = { visits: 2, sensors: 3, pixels: 32 };
const runner = inlineRunner();
const finished = join(base, 'finished');
const sha1 = (file: string): string => createHash('sha1').update(readFileSync(file)).digest('hex');

/** A copy of the finished run whose WAL holds two more commits, left by a writer killed with -9. */
function withLiveWal(name: string): string {
  const dir = join(base, name);
  cpSync(finished, dir, { recursive: true });
  const script = `
    const Database = require(${JSON.stringify(join(process.cwd(), 'node_modules/better-sqlite3'))});
    const db = new Database(${JSON.stringify(join(dir, 'ledger.sqlite'))});
    db.pragma('wal_autocheckpoint = 0');
    db.prepare("INSERT OR REPLACE INTO run(key, value) VALUES ('note', '1')").run();
    db.prepare("INSERT OR REPLACE INTO run(key, value) VALUES ('note', '2')").run();
    process.kill(process.pid, 'SIGKILL');`;
  spawnSync(process.execPath, ['-e', script]);
  return dir;
}

const refusal = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

beforeAll(async () => {
  await run(visits, input, { runner, seed: 1, runDir: finished, ledger: true });
});

describe('a damaged ledger', () => {
  it('a 0-byte ledger.sqlite beside a WAL: status and resume report SKY_LEDGER_DAMAGED and leave the WAL as it was', async () => {
    const dir = withLiveWal('zero-db');
    truncateSync(join(dir, 'ledger.sqlite'), 0);
    const wal = join(dir, 'ledger.sqlite-wal');
    const before = sha1(wal);
    expect(() => readRunStatus(dir)).toThrow(expect.objectContaining({ code: ErrorCode.LedgerDamaged, message: expect.stringMatching(/ledger\.sqlite is 0 bytes.*ledger\.sqlite-wal holds \d+ bytes/) }));
    expect(await refusal(resume(dir, { runner }))).toMatchObject({ code: ErrorCode.LedgerDamaged });
    expect(await refusal(resume(dir, { runner, force: true }))).toMatchObject({ code: ErrorCode.LedgerDamaged }); // never opened, even forced
    const cli = skyloom(['status', dir]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/\[SKY_LEDGER_DAMAGED\]/);
    expect(cli.stderr).not.toMatch(stackFrame);
    expect(sha1(wal)).toBe(before);
  });

  it('a ledger.sqlite that is not a database: SKY_LEDGER_DAMAGED naming what is left, not a SqliteError', async () => {
    const dir = join(base, 'garbage');
    cpSync(finished, dir, { recursive: true });
    writeFileSync(join(dir, 'ledger.sqlite'), Buffer.alloc(8192, 7));
    expect(() => readRunStatus(dir)).toThrow(expect.objectContaining({ code: ErrorCode.LedgerDamaged, message: expect.stringMatching(/cannot be read as a SQLite database.*objects in objects\//) }));
    expect(await refusal(resume(dir, { runner }))).toMatchObject({ code: ErrorCode.LedgerDamaged });
  });

  it('a WAL frame whose checksum fails before a later commit: SKY_LEDGER_DAMAGED; --force resumes from the intact records', async () => {
    const dir = withLiveWal('bad-frame');
    const wal = join(dir, 'ledger.sqlite-wal');
    const bytes = readFileSync(wal);
    expect(checkWal(bytes)).toMatchObject({ headerValid: true, damagedAt: undefined });
    bytes[32 + 24 + 100] = (bytes[32 + 24 + 100] as number) ^ 0xff; // a byte of frame 0's page
    writeFileSync(wal, bytes);
    expect(checkWal(bytes).damagedAt).toBe(0);
    expect(() => readRunStatus(dir)).toThrow(expect.objectContaining({ code: ErrorCode.LedgerDamaged, message: expect.stringMatching(/damaged at page frame 0/) }));
    expect(await refusal(resume(dir, { runner }))).toMatchObject({ code: ErrorCode.LedgerDamaged });
    const reference = (await run(visits, input, { runner, seed: 1 })).output;
    const job = await resume(dir, { runner, force: true });
    expect((await job.result).output).toEqual(reference);
  });

  it('a WAL with a garbage header: SKY_LEDGER_DAMAGED (SQLite would ignore every record in it)', () => {
    const dir = withLiveWal('bad-header');
    const wal = join(dir, 'ledger.sqlite-wal');
    const bytes = readFileSync(wal);
    bytes.fill(1, 0, 32);
    writeFileSync(wal, bytes);
    expect(() => readRunStatus(dir)).toThrow(expect.objectContaining({ code: ErrorCode.LedgerDamaged, message: expect.stringMatching(/no valid header/) }));
  });

  it('units recorded but no run record: SKY_LEDGER_DAMAGED, not SKY_NOT_A_RUN', async () => {
    const dir = join(base, 'no-record');
    cpSync(finished, dir, { recursive: true });
    const db = LedgerDb.open(dir);
    db.db.prepare('DELETE FROM run').run();
    db.close();
    expect(await refusal(resume(dir, { runner }))).toMatchObject({ code: ErrorCode.LedgerDamaged, message: expect.stringMatching(/records \d+ unit\(s\) but no run record/) });
  });
});

describe('a run stopped in its first milliseconds', () => {
  it('a ledger with tables and nothing else: resume says SKY_RUN_NOT_STARTED; a new run takes the directory over', async () => {
    const dir = join(base, 'unstarted');
    cpSync(finished, dir, { recursive: true, filter: (src) => !src.includes('ledger.sqlite') });
    LedgerDb.create(dir).close();
    expect(await refusal(resume(dir, { runner }))).toMatchObject({ code: ErrorCode.RunNotStarted });
    const output = (await run(visits, input, { runner, seed: 1, runDir: dir, ledger: true })).output;
    expect(output).toEqual((await run(visits, input, { runner, seed: 1 })).output);
    expect(readRunStatus(dir).byStatus).toEqual({ finished: 1 + input.visits * (1 + input.sensors) });
  });

  it('a 0-byte ledger and no WAL (older skyloom killed between creating the file and its first write): the command says so; the same run again takes it over', () => {
    const out = join(base, 'zero-no-wal');
    const dir = join(out, 'run');
    cpSync(finished, dir, { recursive: true, filter: (src) => !src.includes('ledger.sqlite') });
    writeFileSync(join(dir, 'ledger.sqlite'), '');
    const resumed = skyloom(['run', '--resume', dir, '--no-progress']);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(/\[SKY_RUN_NOT_STARTED\] .*stopped in its first milliseconds.*Start it again: a new run in this directory takes it over/);
    const again = skyloom(['run', '--camera', 'tiny', '--visits', '1', '--sensors', '2', '--memory', '2MB', '--no-progress', '--json', '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    expect(readRunStatus(dir).run.outcome).toBe('finished');
  });

  it('a new ledger appears with its run record already in it: no ledger.sqlite.new is left behind', async () => {
    const dir = join(base, 'atomic');
    await run(visits, input, { runner, seed: 1, runDir: dir, ledger: true });
    expect(existsSync(join(dir, 'ledger.sqlite.new'))).toBe(false);
    expect(readRunStatus(dir).run).toMatchObject({ name: 'visits', seed: 1, modules: expect.objectContaining({ 'test/lib/ledger/fixtures/visits.ts': expect.any(String) }) });
  });
});
