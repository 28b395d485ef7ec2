import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inlineRunner } from '../../runners/index.ts';
import { outcomeDifference } from './compare.ts';
import { observeOn } from './check.ts';
import { expectedOf } from './expected.ts';
import { observe } from './observe.ts';
import { predict } from './oracle/oracle.ts';
import { defaultShape, programArb } from './program-arb.ts';
import { assertProperty, propertyTimeout } from './settings.ts';

const faultFree = programArb({ ...defaultShape, faults: false, mutations: false });

describe('the reference runner does what the program says', propertyTimeout, () => {
  it('starts exactly the units and completes exactly the collectives a fault-free program implies, and succeeds', async () => {
    const property = fc.asyncProperty(faultFree, async (program) => {
      const seen = await observe(inlineRunner(), program);
      const expected = expectedOf(program);
      expect(seen.outcome.ok).toBe(true);
      expect(seen.units).toEqual(expected.units);
      expect(seen.collectives).toEqual(expected.collectives);
      // The oracle, written separately from expected.ts, implies the same units and collectives.
      const predicted = predict(program);
      expect(predicted.units).toEqual(expected.units);
      expect(predicted.collectives).toEqual(expected.collectives);
    });
    await assertProperty('structure/inline', property, { ci: 300, soak: 5000, pinnedSeed: 424242 });
  });
});

describe('results do not depend on the order in which steps complete', propertyTimeout, () => {
  it('two fc.scheduler orderings of the concurrent inline runner give the same outcome', async () => {
    const property = fc.asyncProperty(programArb(), fc.scheduler(), fc.scheduler(), async (program, first, second) => {
      const a = await observeOn({ kind: 'inline-scheduled' }, program, first);
      const b = await observeOn({ kind: 'inline-scheduled' }, program, second);
      const difference = outcomeDifference(a.outcome, b.outcome);
      if (difference) throw new Error(`orderings disagree: ${difference}\nfirst ${first.report().length} tasks, second ${second.report().length} tasks`);
    });
    await assertProperty('interleaving/scheduler', property, { ci: 300, soak: 4000, pinnedSeed: 515151 });
  });
});
