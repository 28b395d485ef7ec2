import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../lib/index.ts';
import { LedgerDb } from '../../../lib/ledger/ledger-db.ts';
import { resume } from '../../../lib/index.ts';
import { clusterRunner, inlineRunner } from '../../../runners/index.ts';
import { visits } from './fixtures/visits.ts';

const input = { visits: 3, sensors: 4, pixels: 64 };
const runner = inlineRunner();
const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'skyloom-ledger-'));
  dirs.push(dir);
  return join(dir, 'run');
};

afterEach(() => {
  delete process.env.SKYLOOM_TEST_FAIL;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function units(runDir: string): Map<string, { status: string; attempts: number; error_code: string | null }> {
  const db = LedgerDb.open(runDir, { readonly: true });
  try {
    const rows = db.all<{ path: string; status: string; attempts: number; error_code: string | null }>('SELECT path, status, attempts, error_code FROM units');
    return new Map(rows.map((r) => [r.path, r]));
  } finally {
    db.close();
  }
}

describe('resume', () => {
  it('continues a failed run, re-running only units that had not finished, to the uninterrupted output', async () => {
    const reference = (await run(visits, input, { runner, seed: 3 })).output;
    const runDir = freshDir();
    process.env.SKYLOOM_TEST_FAIL = 'root/visit:2/sensor:3';
    await expect(run(visits, input, { runner, seed: 3, runDir, ledger: true })).rejects.toMatchObject({ code: 'SKY_UNIT_FAILED' });
    const failed = units(runDir);
    expect(failed.get('root/visit:2/sensor:3')).toMatchObject({ status: 'failed', error_code: 'ERR_USER' });
    expect(failed.get('root/visit:2/sensor:2')).toMatchObject({ status: 'finished' });
    delete process.env.SKYLOOM_TEST_FAIL;

    const job = await resume(runDir, { runner });
    const { output, events } = await job.result;
    expect(output).toEqual(reference);
    const started = events.filter((e) => e.type === 'unit-started').map((e) => (e as { path: string }).path);
    expect(started).toEqual(['root', 'root/visit:2', 'root/visit:2/sensor:3']);
    const after = units(runDir);
    expect(after.get('root/visit:2/sensor:3')).toMatchObject({ status: 'finished', attempts: 2 });
    expect(after.get('root/visit:0/sensor:0')).toMatchObject({ status: 'finished', attempts: 1 });
    expect(after.get('root')).toMatchObject({ status: 'finished', attempts: 2 });
  });

  it('resumes a failed cluster run the same way: finished units are read back from the ledger, not re-run', async () => {
    const reference = (await run(visits, input, { runner, seed: 3 })).output;
    const runDir = freshDir();
    const cluster = clusterRunner({ workers: 2 });
    process.env.SKYLOOM_TEST_FAIL = 'root/visit:1/sensor:2';
    await expect(run(visits, input, { runner: cluster, seed: 3, runDir, ledger: true })).rejects.toMatchObject({ code: 'SKY_UNIT_FAILED' });
    const failed = units(runDir);
    delete process.env.SKYLOOM_TEST_FAIL;
    const { output, events } = await (await resume(runDir, { runner: cluster })).result;
    expect(output).toEqual(reference);
    const rerun = new Set(events.filter((e) => e.type === 'unit-started').map((e) => (e as { path: string }).path));
    for (const [path, row] of failed) if (row.status === 'finished') expect(rerun.has(path), path).toBe(false);
    expect(rerun.has('root/visit:1/sensor:2')).toBe(true);
    expect(units(runDir).get('root/visit:1/sensor:2')).toMatchObject({ status: 'finished', attempts: 2 });
  });

  it('returns a finished run’s output without running anything', async () => {
    const runDir = freshDir();
    const first = await run(visits, input, { runner, runDir, ledger: true });
    const again = await (await resume(runDir, { runner })).result;
    expect(again.output).toEqual(first.output);
    expect(again.events.filter((e) => e.type === 'unit-started')).toEqual([]);
  });

  it('refuses a directory that is not a run with SKY_NOT_A_RUN', async () => {
    await expect(resume(freshDir(), { runner })).rejects.toMatchObject({ code: 'SKY_NOT_A_RUN' });
  });

  it('refuses to start a new run in a directory that already holds one', async () => {
    const runDir = freshDir();
    await run(visits, input, { runner, runDir, ledger: true });
    // The ledger is opened (and its modules loaded) once the run starts: the refusal rejects the result.
    await expect(run(visits, input, { runner, runDir, ledger: true })).rejects.toThrow(/already holds a run/);
  });

  it('refuses a run recorded by an incompatible version, and a changed algorithm unless forced', async () => {
    const runDir = freshDir();
    await run(visits, input, { runner, runDir, ledger: true });
    const db = LedgerDb.open(runDir);
    db.db.prepare(`UPDATE run SET value = '"0000"' WHERE key = 'algorithmDigest'`).run();
    db.close();
    await expect(resume(runDir, { runner })).rejects.toMatchObject({ code: 'SKY_ALGORITHM_CHANGED' });
    expect((await (await resume(runDir, { runner, force: true })).result).output).toBeDefined();
    const db2 = LedgerDb.open(runDir);
    db2.db.prepare(`UPDATE run SET value = '"99.0.0"' WHERE key = 'skyloomVersion'`).run();
    db2.close();
    await expect(resume(runDir, { runner })).rejects.toMatchObject({ code: 'SKY_RUN_INCOMPATIBLE' });
  });
});
