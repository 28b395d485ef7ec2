import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { differenceFromOracle } from './check.ts';
import { clusterSpillingShape, programArb, spillingShape } from './program-arb.ts';
import { closeRunners, configFamilies, configName } from './runner-configs.ts';
import { assertProperty, propertyTimeout } from './settings.ts';

const budgets: Record<string, { ci: number; soak: number; pinnedSeed: number }> = {
  inline: { ci: 500, soak: 5000, pinnedSeed: 20240601 },
  laptop: { ci: 400, soak: 4000, pinnedSeed: 20240602 },
  cluster: { ci: 25, soak: 400, pinnedSeed: 20240603 },
};

afterAll(closeRunners);

describe('every runner computes what the oracle predicts', propertyTimeout, () => {
  for (const [family, configArb] of Object.entries(configFamilies())) {
    const budget = budgets[family] ?? { ci: 20, soak: 200, pinnedSeed: 1 };
    it(`${family} configurations return the oracle's output bit for bit, or fail with its codes at its unit paths`, async () => {
      let runs = 0;
      let spilled = 0;
      const programs = programArb(family === 'inline' ? undefined : family === 'cluster' ? clusterSpillingShape : spillingShape);
      const property = fc.asyncProperty(programs, configArb, fc.scheduler(), async (program, config, scheduler) => {
        const { difference, other } = await differenceFromOracle(config, program, scheduler);
        if (difference) throw new Error(`${configName(config)} disagrees with the oracle: ${difference}`);
        runs++;
        if (other.events.some((e) => e.type === 'spill-out')) spilled++;
      });
      await assertProperty(`equivalence/${family}`, property, budget);
      console.log(`[property] equivalence/${family}: ${runs} runs, ${spilled} of them spilled`);
      // Budgeted families must really be exercised under memory pressure, not only with room to spare.
      if (family !== 'inline') expect(spilled).toBeGreaterThanOrEqual(runs / 10);
    });
  }
});
