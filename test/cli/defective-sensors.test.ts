import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunStatus } from '../../lib/ledger/run-status.ts';

function skyloom(...args: string[]) {
  const r = spawnSync(process.execPath, ['cli/bin.mjs', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const out = mkdtempSync(join(tmpdir(), 'skyloom-defects-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Summary {
  readonly visits: readonly { readonly sensorsProcessed: number; readonly distortionRmsPx: number; readonly psfSizeRms: number; readonly backgroundRmsOverNoise: number }[];
  readonly failedSensors: readonly { readonly visit: number; readonly sensor: number; readonly code: string; readonly path: string }[];
}

/** Unit paths the events of a run started, from its events.ndjson. */
function startedUnits(dir: string): string[] {
  const lines = readFileSync(join(dir, 'events.ndjson'), 'utf8').trim().split('\n');
  return lines.map((l) => JSON.parse(l) as { type: string; path?: string }).filter((e) => e.type === 'unit-started').map((e) => e.path as string);
}

describe('skyloom run with defective sensors', () => {
  const common = ['--camera', 'demo', '--visits', '1', '--runner', 'laptop', '--memory', '256MB', '--seed', '0', '--no-progress', '--json'];

  it('completes the demo visit from the other 34 sensors (exit 0, a warning, targets met); status lists the 2; --resume retries exactly those 2', () => {
    const first = join(out, 'collect');
    const r = skyloom('run', ...common, '--defective-sensors', '2', '--out', first);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: 2 sensor\(s\) failed/);
    const summary = JSON.parse(r.stdout) as Summary;
    expect(summary.visits[0]?.sensorsProcessed).toBe(34);
    expect(summary.failedSensors.map((f) => f.code).sort()).toEqual(['SENSOR_DEAD_AMPLIFIER', 'SENSOR_NAN_PIXELS']);
    expect(JSON.parse(readFileSync(join(first, 'summary.json'), 'utf8')).failedSensors).toEqual(summary.failedSensors);
    const score = summary.visits[0];
    expect(score?.distortionRmsPx).toBeLessThan(0.02);
    expect(score?.psfSizeRms).toBeLessThan(0.02);
    expect(score?.backgroundRmsOverNoise).toBeLessThan(0.1);

    const status = readRunStatus(join(first, 'run'));
    expect(status.run.outcome).toBe('finished');
    expect(status.failures.map((f) => f.path).sort()).toEqual(summary.failedSensors.map((f) => f.path).sort());
    const shown = skyloom('status', join(first, 'run'));
    for (const f of summary.failedSensors) expect(shown.stdout).toMatch(new RegExp(`${f.path} at \\S+ \\[${f.code}\\]`));

    const again = join(out, 'resumed');
    const resumed = skyloom('run', '--resume', join(first, 'run'), '--no-progress', '--json', '--out', again);
    expect(resumed.code, resumed.stderr).toBe(0);
    const sensorsRun = startedUnits(again).filter((p) => p.includes('/sensor:'));
    expect(sensorsRun.sort()).toEqual(summary.failedSensors.map((f) => f.path).sort());
    expect(JSON.parse(resumed.stdout).visits).toEqual(summary.visits.map((v) => expect.objectContaining({ sensorsProcessed: v.sensorsProcessed, distortionRmsPx: v.distortionRmsPx })));
    expect(readRunStatus(join(first, 'run')).failures.map((f) => f.attempts)).toEqual([2, 2]);
  }, 300_000);

  it('with --fail-fast, the first failed sensor fails the run: exit 1, the sensor’s error on stderr', () => {
    const r = skyloom('run', '--camera', 'tiny', '--visits', '1', '--seed', '0', '--no-progress', '--defective-sensors', '2', '--fail-fast', '--out', join(out, 'fast'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run failed: \[SKY_UNIT_FAILED\]/);
    expect(r.stderr).toMatch(/\[SENSOR_(DEAD_AMPLIFIER|NAN_PIXELS)\]/);
  }, 120_000);
});
