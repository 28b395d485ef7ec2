/**
 * Fault matrix, resumed options: a resume runs with the options recorded in the run's ledger (camera,
 * visits, seed, sensors, runner, memory, out…), reports them in its header and summary.json, writes
 * result.json to the recorded --out, and refuses flags that contradict the data it was recorded with.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRunOptions } from '../../cli/options.ts';
import { optionsToRecord, resumeOptions } from '../../cli/resume-options.ts';
import { ErrorCode } from '../../lib/index.ts';
import { scratchDir, skyloom, stackFrame } from './cli-helpers.ts';

const base = scratchDir('faults-resume-options');

describe('resume options', () => {
  const recorded = optionsToRecord(resolveRunOptions({ camera: 'tiny', visits: '2', sensors: '4', seed: '5', memory: '2MB', out: '/somewhere' }));

  it('takes the recorded options for every flag not typed now', () => {
    const { options, notes } = resumeOptions(resolveRunOptions({ resume: 'dir' }, ['resume']), recorded, 'dir');
    expect(options).toMatchObject({ camera: 'tiny', visits: 2, sensors: 4, seed: 5, memory: 2e6, out: '/somewhere', runner: 'laptop' });
    expect(notes).toEqual([]);
  });

  it('lets runner, memory, workers and out be given anew, and says so', () => {
    const { options, notes } = resumeOptions(resolveRunOptions({ resume: 'dir', runner: 'inline', out: '/elsewhere' }, ['resume', 'runner', 'out']), recorded, 'dir');
    expect(options).toMatchObject({ camera: 'tiny', runner: 'inline', out: '/elsewhere' });
    expect(notes.join()).toMatch(/--runner inline instead of the recorded laptop, --out \/elsewhere instead of the recorded \/somewhere/);
  });

  it('refuses typed data flags that contradict the record with SKY_RESUME_CONFLICT, naming each', () => {
    const given = resolveRunOptions({ resume: 'dir', camera: 'demo', seed: '5', sensors: '36' }, ['resume', 'camera', 'seed', 'sensors']);
    expect(() => resumeOptions(given, recorded, 'dir')).toThrow(
      expect.objectContaining({ code: ErrorCode.ResumeConflict, message: expect.stringMatching(/--camera demo \(recorded: tiny\), --sensors 36 \(recorded: 4\)/) }),
    );
  });

  it('the command: a resume with no flags reports the recorded run and writes result.json to the recorded --out; contradicting flags exit 2', () => {
    const out = join(base, 'out');
    const first = skyloom(['run', '--camera', 'tiny', '--visits', '1', '--sensors', '4', '--seed', '5', '--memory', '2MB', '--no-progress', '--json', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    const result = readFileSync(join(out, 'result.json'), 'utf8');
    rmSync(join(out, 'result.json'));
    rmSync(join(out, 'summary.json'));
    const resumed = skyloom(['run', '--resume', join(out, 'run'), '--no-progress', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .*: processVisits on camera tiny \(4 sensors, .*\), 1 visit\(s\), seed 5, runner laptop, memory 2\.0 MB/);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ resumed: true, camera: 'tiny', sensors: 4, seed: 5, memoryBudgetBytes: 2e6 });
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    expect(readFileSync(join(out, 'result.json'), 'utf8')).toBe(result);
    const conflict = skyloom(['run', '--resume', join(out, 'run'), '--camera', 'demo', '--no-progress']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/\[SKY_RESUME_CONFLICT\] .*--camera demo \(recorded: tiny\)/);
    expect(conflict.stderr).not.toMatch(stackFrame);
  });
});
