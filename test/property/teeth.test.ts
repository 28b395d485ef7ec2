import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Runner } from '../../lib/index.ts';
import { arrivalOrderRunner, droppedSpillRunner, testRunner } from './broken/broken-runners.ts';
import { differenceOfRunner } from './check.ts';
import { programArb } from './program-arb.ts';
import { programSize, type Program } from './program.ts';
import { assertProperty, propertyParameters, propertyTimeout } from './settings.ts';

/** The equivalence property against one runner, as `fc.check` sees it (no throw: we inspect the result). */
function checkRunner(name: string, runner: Runner, budget: { ci: number; soak: number; pinnedSeed: number }) {
  const property = fc.asyncProperty(programArb(), async (program) => (await differenceOfRunner(runner, program)) === undefined);
  return fc.check(property, propertyParameters(`teeth/${name}`, budget));
}

function report(name: string, details: fc.RunDetails<[Program]>): number {
  const program = details.counterexample?.[0] ?? [];
  console.log(`[teeth] ${name}: caught after ${details.numRuns} runs, shrunk ${details.numShrinks} times to ${programSize(program)} instructions: ${JSON.stringify(program)}`);
  return programSize(program);
}

describe('the property suite has teeth', propertyTimeout, () => {
  it('passes a correct runner assembled from the same test pieces the broken runners use', async () => {
    const runner = testRunner('control', { concurrent: true });
    const property = fc.asyncProperty(programArb(), async (program) => {
      const difference = await differenceOfRunner(runner, program);
      if (difference) throw new Error(`the control runner disagrees with the oracle: ${difference}`);
    });
    await assertProperty('teeth/control', property, { ci: 200, soak: 2000, pinnedSeed: 606 });
  });

  it('catches a runner that hands values to central in arrival order, and shrinks it to a small program', async () => {
    const details = await checkRunner('arrival-order', arrivalOrderRunner(), { ci: 300, soak: 3000, pinnedSeed: 607 });
    expect(details.failed).toBe(true);
    expect(report('arrival-order', details)).toBeLessThanOrEqual(12);
  });

  it('catches a runner that loses spilled refs, and shrinks it to a small program', async () => {
    const details = await checkRunner('dropped-spill', droppedSpillRunner(), { ci: 300, soak: 3000, pinnedSeed: 608 });
    expect(details.failed).toBe(true);
    expect(report('dropped-spill', details)).toBeLessThanOrEqual(6);
  });
});
