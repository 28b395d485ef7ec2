/**
 * Fault matrix, errors the command line prints: an expected error shows its code and message with no
 * stack trace (`--debug` adds it); `--workers` above the cores is capped with a warning; a run with no
 * budget whose visit cannot fit is refused before it starts; a value the ledger cannot keep (a function)
 * fails with a code and the unit path, on every runner.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cameraPresets, sensorPlacements } from '../../algorithms/index.ts';
import { resolveRunOptions } from '../../cli/options.ts';
import { capWorkers, checkFits, unbudgetedRssPerImageByte, usableMemory } from '../../cli/resource-checks.ts';
import { ErrorCode, run, start, type SkyloomError } from '../../lib/index.ts';
import { clusterRunner, inlineRunner, laptopRunner } from '../../runners/index.ts';
import { childReturnsFunction } from './fixtures/faulty.ts';
import { scratchDir, skyloom, stackFrame } from './cli-helpers.ts';

const base = scratchDir('faults-errors');
const lsst = cameraPresets.lsst;
const lsstVisitBytes = sensorPlacements(lsst).length * lsst.sensorWidth * lsst.sensorHeight * 5;

describe('errors the command prints', () => {
  for (const size of ['1B', '10kB']) {
    it(`--memory ${size}: [SKY_MEMORY_BUDGET] and exit 2, no stack trace`, () => {
      const r = skyloom(['run', '--memory', size, '--camera', 'tiny', '--no-progress']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\[SKY_MEMORY_BUDGET\] --memory: the laptop runner needs at least 64\.0 KiB/);
      expect(r.stderr).not.toMatch(stackFrame);
    });
  }

  it('a coded error prints no stack trace; --debug prints it', () => {
    const plain = skyloom(['status', join(base, 'nowhere')]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/\[SKY_NOT_A_RUN\]/);
    expect(plain.stderr).not.toMatch(stackFrame);
    const debug = skyloom(['status', join(base, 'nowhere'), '--debug']);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(stackFrame);
  });
});

describe('resource sanity', () => {
  it('caps --workers at the available parallelism with a warning, unless --force', () => {
    const capped = capWorkers(resolveRunOptions({ runner: 'cluster', workers: '1024' }), 2);
    expect(capped.workers).toBe(2);
    expect(capped.warning).toMatch(/--workers 1024 is more than this machine runs in parallel \(2\); using 2 \(--force/);
    expect(capWorkers(resolveRunOptions({ runner: 'cluster', workers: '1024', force: true }), 2)).toEqual({ workers: 1024 });
    expect(capWorkers(resolveRunOptions({ runner: 'cluster', workers: '2' }), 2)).toEqual({ workers: 2 });
  });

  it('refuses an unbudgeted run whose visit cannot fit, suggesting --memory or the laptop runner; a budget or --force lets it start', () => {
    const memory = 8e9;
    const inline = resolveRunOptions({ camera: 'lsst', runner: 'inline' });
    expect(() => checkFits(inline, undefined, lsstVisitBytes, memory)).toThrow(
      expect.objectContaining({ code: ErrorCode.MemoryBudget, message: expect.stringMatching(/camera lsst: a visit holds .* the inline runner has no memory budget: run it with a budget \(--runner laptop --memory 2GB/) }),
    );
    expect(() => checkFits(resolveRunOptions({ camera: 'lsst', runner: 'cluster' }), undefined, lsstVisitBytes, memory)).toThrow(expect.objectContaining({ code: ErrorCode.MemoryBudget }));
    expect(() => checkFits(resolveRunOptions({ camera: 'lsst', runner: 'laptop' }), 2e9, lsstVisitBytes, memory)).not.toThrow();
    expect(() => checkFits(resolveRunOptions({ camera: 'lsst', runner: 'inline', force: true }), undefined, lsstVisitBytes, memory)).not.toThrow();
  });

  // Only where lsst really cannot fit: elsewhere the command would start a 15 GB run.
  it.runIf(lsstVisitBytes * unbudgetedRssPerImageByte > usableMemory())('the command: --camera lsst --runner inline is refused before starting; --workers 1024 warns first', () => {
    const r = skyloom(['run', '--camera', 'lsst', '--runner', 'cluster', '--workers', '1024', '--no-progress']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/warning: --workers 1024 is more than this machine runs in parallel/);
    expect(r.stderr).toMatch(/\[SKY_MEMORY_BUDGET\] camera lsst/);
    expect(r.stderr).not.toMatch(/run directory/); // nothing was started
    const inline = skyloom(['run', '--camera', 'lsst', '--runner', 'inline', '--no-progress']);
    expect(inline.code).toBe(1);
    expect(inline.stderr).toMatch(/\[SKY_MEMORY_BUDGET\] camera lsst: .*the inline runner has no memory budget/);
    expect(inline.stderr).not.toMatch(stackFrame);
  });
});

describe('values the ledger cannot keep', () => {
  for (const make of [() => inlineRunner(), () => laptopRunner({ memoryBudget: 1e6 }), () => clusterRunner({ workers: 2 })]) {
    const runner = make();
    it(`a function in a unit output with the ledger on (${runner.name}): SKY_NOT_CLONEABLE with the unit path`, async () => {
      const failure = (await run(childReturnsFunction, 2, { runner, runDir: join(base, `fn-${runner.name}`), ledger: true }).then(
        () => undefined,
        (error: unknown) => error,
      )) as SkyloomError;
      expect(failure.code).toBe(ErrorCode.UnitFailed);
      expect(failure.cause).toMatchObject({ code: ErrorCode.UnitFailed, unitPath: 'root/child:0' });
      expect((failure.cause as SkyloomError).cause).toMatchObject({ code: ErrorCode.NotCloneable, message: expect.stringMatching(/output\.fit is function/) });
    });
  }

  // The ledger is opened before the runner starts, asynchronously (its modules load only then): its refusal rejects the result.
  it('a function in the root input: SKY_NOT_CLONEABLE at start, naming the path', async () => {
    await expect(start(childReturnsFunction, { n: 2, f: () => 1 } as never, { runner: inlineRunner(), runDir: join(base, 'fn-input'), ledger: true }).result).rejects.toMatchObject(
      { code: ErrorCode.NotCloneable, message: expect.stringMatching(/input\.f is function/) },
    );
  });
});
