import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { differenceFromOracle } from './check.ts';
import { leaseShape, programArb } from './program-arb.ts';
import { closeRunners, configFamilies, configName } from './runner-configs.ts';
import { assertProperty, propertyTimeout } from './settings.ts';

const budgets: Record<string, { ci: number; soak: number; pinnedSeed: number }> = {
  inline: { ci: 200, soak: 2000, pinnedSeed: 20261601 },
  laptop: { ci: 100, soak: 1000, pinnedSeed: 20261602 },
  cluster: { ci: 10, soak: 150, pinnedSeed: 20261603 },
};

afterAll(closeRunners);

describe('a scratch array used after its unit paused fails the unit with SKY_LEASE_EXPIRED, as the oracle predicts', propertyTimeout, () => {
  for (const [family, configArb] of Object.entries(configFamilies())) {
    const budget = budgets[family] ?? { ci: 10, soak: 100, pinnedSeed: 1 };
    it(`${family} configurations: programs holding scratch arrays across pauses give the oracle's output or failure chain`, async () => {
      let runs = 0;
      let expired = 0;
      const property = fc.asyncProperty(programArb(leaseShape), configArb, fc.scheduler(), async (program, config, scheduler) => {
        const { difference, other } = await differenceFromOracle(config, program, scheduler);
        if (difference) throw new Error(`${configName(config)} disagrees with the oracle: ${difference}`);
        runs++;
        // A unit failing with it, whether or not a parent caught the failure.
        if (other.events.some((e) => e.type === 'unit-failed' && e.code === 'SKY_LEASE_EXPIRED')) expired++;
      });
      await assertProperty(`lease/${family}`, property, budget);
      console.log(`[property] lease/${family}: ${runs} runs, ${expired} of them had a unit fail with SKY_LEASE_EXPIRED`);
      expect(expired).toBeGreaterThanOrEqual(runs / 20); // the property really reaches uses after a pause
    });
  }
});
