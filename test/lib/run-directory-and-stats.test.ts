import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { focalPlane, type FocalPlaneParams } from '../../bench/workload/focal-plane.ts';
import { run, start } from '../../lib/index.ts';
import { algorithm } from '../../lib/algorithm.ts';
import { clusterRunner, inlineRunner, laptopRunner } from '../../runners/index.ts';
import { useTempDir } from '../fixtures/temp-dir.ts';

const tempDir = useTempDir('run-tempDir()');

// 8 sensors of 64 KiB: a 256 KiB budget holds 4 of them, so every round spills and reads back.
const focal: FocalPlaneParams = { sensors: 8, width: 128, height: 128, rounds: 3, cpuPasses: 1 };

describe('a run that keeps no ledger', () => {
  it('leaves no run directory behind, default or given, on the laptop runner that spilled into it', async () => {
    const job = start(focalPlane, focal, { runner: laptopRunner({ memoryBudget: 256 * 1024 }) });
    const { stats } = await job.result;
    expect(stats.spilledBytes).toBeGreaterThan(0); // it did use the directory
    expect(existsSync(job.runDir)).toBe(false);
    const given = join(tempDir(), 'run');
    await run(focalPlane, focal, { runner: laptopRunner({ memoryBudget: 256 * 1024 }), runDir: given });
    expect(existsSync(given)).toBe(false);
  });

  it('leaves no run directory behind on the cluster runner whose hosts spilled into it', async () => {
    const job = start(focalPlane, focal, { runner: clusterRunner({ workers: 2, memoryBudget: 2 * 128 * 1024 }) });
    const { stats } = await job.result;
    expect(stats.spilledBytes).toBeGreaterThan(0);
    expect(existsSync(job.runDir)).toBe(false);
  });

  it('leaves no run directory behind when it fails', async () => {
    const failing = algorithm(import.meta.url, async function* failingAfterSpill(ctx, params: FocalPlaneParams) {
      yield* focalPlane.fn(ctx, params);
      throw new Error('after the work');
    });
    const job = start(failing, focal, { runner: laptopRunner({ memoryBudget: 256 * 1024 }) });
    await expect(job.result).rejects.toThrow(/after the work/);
    expect(existsSync(job.runDir)).toBe(false);
  });

  it('leaves a directory that existed before the run where it was', async () => {
    await run(focalPlane, focal, { runner: laptopRunner({ memoryBudget: 256 * 1024 }), runDir: tempDir() });
    expect(existsSync(tempDir())).toBe(true);
  });

  it('keeps the run directory when the run keeps a ledger', async () => {
    const runDir = join(tempDir(), 'kept');
    await run(focalPlane, focal, { runner: inlineRunner(), runDir, ledger: true });
    expect(existsSync(join(runDir, 'ledger.sqlite'))).toBe(true);
  });
});

describe('RunStats', () => {
  it('carries the bytes spilled and read back, as the spill events report them', async () => {
    const { stats, events } = await run(focalPlane, focal, { runner: laptopRunner({ memoryBudget: 256 * 1024 }) });
    const sum = (type: string): number => events.reduce((s, e) => s + (e.type === type ? (e as { bytes: number }).bytes : 0), 0);
    expect(stats.spilledBytes).toBe(sum('spill-out'));
    expect(stats.readBackBytes).toBe(sum('spill-in'));
    expect(stats.readBackBytes).toBeGreaterThan(0);
  });

  it('is 0 spilled and read back on the inline runner', async () => {
    const { stats } = await run(focalPlane, focal, { runner: inlineRunner() });
    expect(stats).toMatchObject({ spilledBytes: 0, readBackBytes: 0 });
  });

  it('counts a take as a take, not a get', async () => {
    const { stats } = await run(focalPlane, focal, { runner: inlineRunner() });
    // Each sensor: a get per round and one at the end; a take and a put per round, and the first put.
    expect(stats.primitives).toMatchObject({ take: 8 * 3, get: 8 * 4, put: 8 * 4, gather: 8 * 3, scatter: 1 });
  });
});
