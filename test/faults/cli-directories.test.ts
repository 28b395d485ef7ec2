/**
 * Fault matrix, directories: an output, run or spill directory that cannot be created fails at once
 * with a typed error (Node 20's recursive mkdir loops forever under /proc).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, run } from '../../lib/index.ts';
import { makeDirectory } from '../../lib/make-directory.ts';
import { laptopRunner } from '../../runners/index.ts';
import { returnsFunction } from './fixtures/faulty.ts';
import { scratchDir, skyloom, stackFrame, tinyJob } from './cli-helpers.ts';

const base = scratchDir('faults-dirs');
const procfs = existsSync('/proc/self');

describe('directories that cannot be created', () => {
  it.runIf(procfs)('skyloom run --out /proc/x fails with SKY_DIRECTORY_UNUSABLE and exit 2, no hang, no stack', () => {
    const r = skyloom(['run', ...tinyJob, '--out', '/proc/skyloom-x'], 60_000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[SKY_DIRECTORY_UNUSABLE\] run directory \/proc\/skyloom-x\/run cannot be created/);
    expect(r.stderr).not.toMatch(stackFrame);
  });

  it.runIf(procfs)("laptopRunner({ spillDir: '/proc/x' }) fails the run with SKY_SPILL_DIR instead of spinning", async () => {
    const failure = await run(returnsFunction, 1, { runner: laptopRunner({ memoryBudget: 1e6, spillDir: '/proc/skyloom-spill' }), runDir: join(base, 'proc-spill') }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: ErrorCode.SpillDir });
    expect((failure as Error).message).toMatch(/\/proc\/skyloom-spill/);
  });

  it('an --out under a regular file says which path is a file', () => {
    const file = join(base, 'a-file');
    writeFileSync(file, 'not a directory');
    expect(() => makeDirectory(join(file, 'out', 'deeper'), '--out')).toThrow(expect.objectContaining({ code: ErrorCode.DirectoryUnusable, message: expect.stringMatching(/a-file exists and is not a directory/) }));
  });

  it('creates every missing level, and accepts one that exists', () => {
    const deep = join(base, 'x', 'y', 'z');
    makeDirectory(deep, 'test');
    makeDirectory(deep, 'test');
    expect(existsSync(deep)).toBe(true);
  });
});
