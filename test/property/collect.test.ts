import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { differenceFromOracle } from './check.ts';
import { collectShape, programArb } from './program-arb.ts';
import type { Instr, Program } from './program.ts';
import { closeRunners, configFamilies, configName } from './runner-configs.ts';
import { assertProperty, propertyTimeout } from './settings.ts';

const budgets: Record<string, { ci: number; soak: number; pinnedSeed: number }> = {
  inline: { ci: 300, soak: 3000, pinnedSeed: 20251801 },
  laptop: { ci: 150, soak: 1500, pinnedSeed: 20251802 },
  cluster: { ci: 15, soak: 200, pinnedSeed: 20251803 },
};

afterAll(closeRunners);

/** True if some scatter of the program collects and one of its members throws. */
function collectsAFailure(program: Program): boolean {
  return program.some((instr: Instr) => instr.op === 'scatter' && ((instr.collect === true && instr.children.some((c) => c.some((i) => i.op === 'throw'))) || instr.children.some(collectsAFailure)));
}

/** True if some gather of the program (nested ones too) carries a quorum or a deadline. */
function hasCutoff(program: Program): boolean {
  return program.some((instr: Instr) => (instr.op === 'gather' && (instr.quorum !== undefined || instr.deadlineMs !== undefined)) || (instr.op === 'scatter' && instr.children.some(hasCutoff)));
}

describe("under onFailure: 'collect', every runner gives the oracle's per-member outcomes and central inputs", propertyTimeout, () => {
  for (const [family, configArb] of Object.entries(configFamilies())) {
    const budget = budgets[family] ?? { ci: 10, soak: 100, pinnedSeed: 1 };
    it(`${family} configurations: random member failures, collected or not, give the oracle's output bit for bit`, async () => {
      let runs = 0;
      let collected = 0;
      let cutoffs = 0;
      const property = fc.asyncProperty(programArb(collectShape), configArb, fc.scheduler(), async (program, config, scheduler) => {
        const { difference } = await differenceFromOracle(config, program, scheduler);
        if (difference) throw new Error(`${configName(config)} disagrees with the oracle: ${difference}`);
        runs++;
        if (collectsAFailure(program)) collected++;
        if (hasCutoff(program)) cutoffs++;
      });
      await assertProperty(`collect/${family}`, property, budget); // prints the shrunk counterexample's size, which the mutant harness reads
      console.log(`[property] collect/${family}: ${runs} runs, ${collected} of them with a collecting scatter whose member throws, ${cutoffs} with a gather's (non-binding) quorum or deadline`);
      expect(collected).toBeGreaterThanOrEqual(runs / 10); // the property really exercises collected failures
      expect(cutoffs).toBeGreaterThanOrEqual(runs / 10); // and gathers with a quorum or deadline
    });
  }
});
