import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function skyloom(...args: string[]) {
  const r = spawnSync(process.execPath, ['cli/bin.mjs', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the skyloom command', () => {
  it('lists every run option with its default in --help and exits 0', () => {
    const r = skyloom('run', '--help');
    expect(r.code).toBe(0);
    for (const option of ['--camera', '--visits', '--runner', '--memory', '--workers', '--seed', '--out', '--json']) expect(r.stdout).toContain(option);
    const text = r.stdout.replace(/\s+/g, ' '); // commander wraps descriptions to the terminal's width
    expect(text).toContain('(default: "demo")');
    expect(text).toContain('(default: "64MB")');
  });

  it('exits 2 with a clear message on a bad option value or an unknown option', () => {
    const bad = skyloom('run', '--visits', 'two');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--visits: expected a whole number');
    expect(skyloom('run', '--frobnicate').code).toBe(2);
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
    expect(r.stderr).toContain('processVisits on camera tiny');
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).seed).toBe(4);
  });

  it('prints the summary table without --json', () => {
    const r = skyloom('run', '--camera', 'tiny', '--visits', '1', '--runner', 'inline', '--no-progress');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/visit\s+sensors\s+distortion px RMS\s+PSF size % RMS\s+background \/ noise/);
  });
});
