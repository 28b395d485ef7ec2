import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const base = mkdtempSync(join(tmpdir(), 'skyloom-ledger-cli-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function skyloom(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['cli/bin.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tiny = ['--camera', 'tiny', '--visits', '2', '--memory', '2MB', '--seed', '3', '--no-progress', '--json'];

describe('the ledger commands', () => {
  const out = join(base, 'kept');
  const runDir = join(out, 'run');
  const first = skyloom('run', ...tiny, '--out', out, '--keep', 'root/visit:1/**');

  it('records the run, with status by unit and per level', () => {
    expect(first.code, first.stderr).toBe(0);
    const status = JSON.parse(skyloom('status', runDir, '--json').stdout);
    expect(status.byStatus).toEqual({ finished: 21 });
    expect(status.levels.map((l: { units: number }) => l.units)).toEqual([1, 2, 18]);
    expect(status.run).toMatchObject({ name: 'processVisits', runner: 'laptop', outcome: 'finished', keep: 'root/visit:1/**' });
    const text = skyloom('status', runDir);
    expect(text.stdout).toMatch(/units: 21 \(21 finished\); collectives: 20/);
  });

  it('replays one sensor of processVisit alone and reproduces its output digest', () => {
    const r = skyloom('replay', runDir, 'root/visit:1/sensor:5', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.outputDigest).toBe(result.recordedDigest);
  });

  it('says what is missing when a unit’s input was not kept, and exits 1', () => {
    const r = skyloom('replay', runDir, 'root/visit:0/sensor:5');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SKY_REPLAY_MISSING.*input was not kept/);
  });

  it('refuses a directory that is not a run with exit 2', () => {
    expect(skyloom('status', base).code).toBe(2);
    expect(skyloom('run', '--resume', base, '--no-progress').stderr).toMatch(/SKY_NOT_A_RUN/);
  });

  it('stops cleanly on SIGINT, flushing a ledger from which the run resumes', async () => {
    const stopped = join(base, 'stopped');
    const child = spawn(process.execPath, ['cli/bin.mjs', 'run', ...tiny, '--visits', '4', '--out', stopped], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('run directory')) setTimeout(() => child.kill('SIGINT'), 400);
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/SKY_CANCELLED/);
    const status = JSON.parse(skyloom('status', join(stopped, 'run'), '--json').stdout);
    expect(status.run.outcome).toMatch(/SKY_CANCELLED/);
    expect(existsSync(join(stopped, 'run', 'spill'))).toBe(false);
    const resumed = skyloom('run', '--resume', join(stopped, 'run'), '--memory', '2MB', '--no-progress', '--json', '--out', join(stopped, 'resumed'));
    expect(resumed.code, resumed.stderr).toBe(0);
    const reference = skyloom('run', ...tiny, '--visits', '4', '--runner', 'inline', '--out', join(base, 'reference'));
    expect(readFileSync(join(stopped, 'resumed', 'result.json'), 'utf8')).toBe(readFileSync(join(base, 'reference', 'result.json'), 'utf8'));
    expect(reference.code).toBe(0);
  });
});
