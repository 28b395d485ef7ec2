/**
 * Fault matrix, the run lock: one process per run directory. A second gets SKY_RUN_LOCKED naming the
 * holder's pid; a lock left by a process that no longer runs (kill -9) is taken over.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, resume, run, start } from '../../lib/index.ts';
import { lockRun, runLockFile } from '../../lib/ledger/run-lock.ts';
import { inlineRunner } from '../../runners/index.ts';
import { visits } from '../lib/ledger/fixtures/visits.ts';
import { scratchDir, skyloom, stackFrame } from './cli-helpers.ts';

const base = scratchDir('faults-lock');
const runner = inlineRunner();
const input = { visits: 2, sensors: 2, pixels: 16 };

/** The pid of a process that has exited (and so cannot hold anything). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('the run lock', () => {
  it('a second lock of one directory fails with SKY_RUN_LOCKED naming the holder; released, it can be taken again', () => {
    const dir = join(base, 'twice');
    mkdirSync(dir);
    const first = lockRun(dir);
    expect(() => lockRun(dir)).toThrow(expect.objectContaining({ code: ErrorCode.RunLocked, message: expect.stringContaining(`process ${process.pid}`) }));
    first.release();
    expect(existsSync(runLockFile(dir))).toBe(false);
    lockRun(dir).release();
  });

  it('a lock whose holder is dead is taken over', () => {
    const dir = join(base, 'stale');
    mkdirSync(dir);
    const pid = deadPid();
    writeFileSync(runLockFile(dir), JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const lock = lockRun(dir);
    expect(JSON.parse(readFileSync(runLockFile(dir), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('a lock file that holds no holder (not written by this code) is taken over; a lock is never seen empty', () => {
    const dir = join(base, 'empty');
    mkdirSync(dir);
    writeFileSync(runLockFile(dir), '');
    const lock = lockRun(dir);
    expect(JSON.parse(readFileSync(runLockFile(dir), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    lock.release();
  });

  it('a run or resume of a directory another live process holds fails at start with its pid; the holder’s lock stays', async () => {
    const dir = join(base, 'held');
    await run(visits, input, { runner, runDir: dir, ledger: true });
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(runLockFile(dir), JSON.stringify({ pid: holder.pid, host: hostname(), started: new Date().toISOString() }));
      // the ledger (and its lock) is opened before the runner starts, asynchronously: a refusal rejects the result
      await expect(resume(dir, { runner }).then((job) => job.result)).rejects.toMatchObject({ code: ErrorCode.RunLocked, message: expect.stringContaining(`process ${holder.pid}`) });
      await expect(start(visits, input, { runner, runDir: join(dir), ledger: true }).result).rejects.toMatchObject({ code: ErrorCode.RunLocked });
      const cli = skyloom(['run', '--resume', dir, '--no-progress']);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(new RegExp(`\\[SKY_RUN_LOCKED\\] .* in use by process ${holder.pid}`));
      expect(cli.stderr).not.toMatch(stackFrame);
      expect(JSON.parse(readFileSync(runLockFile(dir), 'utf8')).pid).toBe(holder.pid);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('two resumes of one run at once: one runs, the other is refused, and the run ends finished', async () => {
    const dir = join(base, 'race');
    const slow = { ...input, sleepMs: 250 }; // the first resume is still running when the second starts
    process.env.SKYLOOM_TEST_FAIL = 'root/visit:1/sensor:1';
    await expect(run(visits, slow, { runner, runDir: dir, ledger: true })).rejects.toMatchObject({ code: ErrorCode.UnitFailed });
    delete process.env.SKYLOOM_TEST_FAIL;
    // Both at once: whichever opens the ledger first runs, the other is refused (its result rejects).
    const outcomes = await Promise.allSettled([resume(dir, { runner }).then((job) => job.result), resume(dir, { runner }).then((job) => job.result)]);
    const ran = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ran).toHaveLength(1);
    expect(refused.map((o) => (o.reason as { code?: string }).code)).toEqual([ErrorCode.RunLocked]);
    expect((ran[0] as PromiseFulfilledResult<{ output: unknown }>).value.output).toEqual((await run(visits, slow, { runner })).output);
    expect(existsSync(runLockFile(dir))).toBe(false);
  });
});
