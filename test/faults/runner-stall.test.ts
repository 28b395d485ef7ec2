// Fault matrix, stalls on the runners that run units in this thread (docs/architecture/faults-runners.md):
// a member awaiting a promise that never settles, or a central function that never settles, empties
// the event loop; the run fails with SKY_STALLED naming the pending units instead of node exiting
// with code 13 and printing nothing. Each run is a process of its own: a vitest worker's event loop
// never empties. (A busy loop in this thread cannot be interrupted at all: see docs/guide.md.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'skyloom-stall-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  readonly status: number | null;
  readonly result: { output?: unknown; code?: string; unitPath?: string; units?: string[]; message?: string };
}

function stallRun(runner: string, hang: string): Outcome {
  const script = join(import.meta.dirname, 'fixtures', 'stall-run.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, runner, hang, join(dir, `${runner}-${hang}`)], { encoding: 'utf8', timeout: 290_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  return { status: r.status, result: line.startsWith('{') ? JSON.parse(line) : { message: `no outcome printed: ${r.stderr}` } };
}

describe('a run in this thread whose event loop empties while units wait', () => {
  for (const runner of ['inline', 'inline-concurrent', 'laptop']) {
    it(`fails with SKY_STALLED naming the member awaiting a promise that never settles (${runner})`, () => {
      const { status, result } = stallRun(runner, 'never-settles');
      expect(status).toBe(0); // the script caught the run's error and printed it
      expect(result).toMatchObject({ code: 'SKY_STALLED', unitPath: 'root/hangingMember:1', units: ['root/hangingMember:1'] });
      expect(result.message).toMatch(/event loop emptied .* root\/hangingMember:1 after start/);
    });
  }

  it('names the member whose central function never settles', () => {
    const { result } = stallRun('inline', 'central-never-settles');
    expect(result).toMatchObject({ code: 'SKY_STALLED', units: ['root/hangingMember:0'] });
    expect(result.message).toMatch(/root\/hangingMember:0 central function/);
  });

  it('leaves a run that does finish alone', () => {
    const { status, result } = stallRun('laptop', 'none');
    expect(status).toBe(0);
    expect(result.output).toStrictEqual([3, 3, 3]);
  });
});
