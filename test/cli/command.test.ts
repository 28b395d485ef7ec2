import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function skyloom(...args: string[]) {
  const r = spawnSync(process.execPath, ['cli/bin.mjs', ...args], { encoding: 'utf8', timeout: 290_000 }); // far above a run's seconds, for a loaded machine
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the skyloom command', () => {
  it('lists every run option with its default in --help and exits 0', () => {
    const r = skyloom('run', '--help');
    expect(r.code).toBe(0);
    for (const option of ['--camera', '--visits', '--runner', '--memory', '--workers', '--seed', '--out', '--json']) expect(r.stdout).toContain(option);
    const text = r.stdout.replace(/\s+/g, ' '); // commander wraps descriptions to the terminal's width
    expect(text).toContain('(default: "demo")');
    expect(text).toMatch(/Default: laptop 25% of physical memory \([\d.]+ [kMGT]?B here\), cluster unbudgeted/);
  });

  it('exits 2 with a clear message on a bad option value or an unknown option', () => {
    const bad = skyloom('run', '--visits', 'two');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--visits: expected a whole number');
    expect(skyloom('run', '--frobnicate').code).toBe(2);
  });

  it('refuses a --memory below the runner minimum with its code and no stack trace', () => {
    const r = skyloom('run', '--camera', 'tiny', '--memory', '1000');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[SKY_MEMORY_BUDGET] --memory: the laptop runner needs at least 64.0 KiB, got 1000 bytes');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs a tiny camera on the laptop runner and prints a JSON summary on stdout, logs on stderr', () => {
    const out = mkdtempSync(join(tmpdir(), 'skyloom-cli-'));
    const r = skyloom('run', '--camera', 'tiny', '--visits', '1', '--memory', '1MB', '--json', '--seed', '4', '--out', out);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.runner).toBe('laptop');
    expect(summary.visits).toHaveLength(1);
    expect(summary.visits[0].backgroundRmsOverNoise).toBeLessThan(0.1);
    expect(summary.spilledBytes).toBeGreaterThan(0);
    expect([summary.memoryBudgetBytes, summary.memoryBudget]).toEqual([1e6, '1.0 MB']);
    expect(summary.peakStepBytes).toBeGreaterThan(0);
    expect(summary.readBackBytes).toBeGreaterThanOrEqual(0);
    const events = readFileSync(join(out, 'events.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; bytes?: number; limit?: number });
    expect(summary.readBackBytes).toBe(events.filter((e) => e.type === 'spill-in').reduce((n, e) => n + (e.bytes ?? 0), 0));
    // The command's budget covers its process: the store reports the limit the process's growth leaves it.
    const limits = events.filter((e) => e.type === 'memory').map((e) => e.limit);
    expect(limits.length).toBeGreaterThan(0);
    expect(limits.every((l) => typeof l === 'number' && l <= 1e6)).toBe(true);
    expect(r.stderr).toContain('processVisits on camera tiny');
    expect(r.stderr).toContain('runner laptop, memory 1.0 MB\n');
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).seed).toBe(4);
  });

  it('prints the summary table without --json; inline says nothing about memory in its header', () => {
    const r = skyloom('run', '--camera', 'tiny', '--visits', '1', '--runner', 'inline', '--no-progress');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/visit\s+sensors\s+distortion px RMS\s+PSF size % RMS\s+background \/ noise/);
    expect(r.stdout).toMatch(/^memory unbudgeted: spilled 0 B, read back 0 B$/m);
    expect(r.stderr.split('\n')[0]).not.toContain('memory');
  });

  it('runs laptop mode with a quarter of physical memory by default, and says so in the header', () => {
    const r = skyloom('run', '--camera', 'tiny', '--visits', '1', '--no-progress', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/runner laptop, memory [\d.]+ [kMGT]?B \(default: 25% of physical memory\)/);
    expect(JSON.parse(r.stdout).memoryBudgetBytes).toBe(Math.floor(totalmem() / 4));
  });

  it('splits --memory across cluster workers and prints the split; without it cluster mode is unbudgeted', () => {
    const split = skyloom('run', '--camera', 'tiny', '--visits', '1', '--no-progress', '--json', '--runner', 'cluster', '--workers', '2', '--memory', '4MB');
    expect(split.code, split.stderr).toBe(0);
    expect(split.stderr).toContain('runner cluster, memory 4.0 MB (2.0 MB per worker × 2)');
    expect(JSON.parse(split.stdout)).toMatchObject({ memoryBudgetBytes: 4e6, memoryBudgetPerWorkerBytes: 2e6 });
    const none = skyloom('run', '--camera', 'tiny', '--visits', '1', '--no-progress', '--json', '--runner', 'cluster', '--workers', '2');
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toContain('runner cluster, memory unbudgeted');
    expect(JSON.parse(none.stdout)).toMatchObject({ memoryBudgetBytes: null, memoryBudget: 'unbudgeted', spilledBytes: 0 });
  });
});
