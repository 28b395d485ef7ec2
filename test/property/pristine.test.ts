import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { observeOn } from './check.ts';
import { injectMutation } from './expected.ts';
import { programArb, spillingShape } from './program-arb.ts';
import { closeRunners, configFamilies, configName, fitProgram } from './runner-configs.ts';
import { assertProperty, propertyTimeout } from './settings.ts';

const budgets: Record<string, { ci: number; soak: number; pinnedSeed: number }> = {
  inline: { ci: 150, soak: 2000, pinnedSeed: 7001 },
  laptop: { ci: 100, soak: 1500, pinnedSeed: 7002 },
  cluster: { ci: 8, soak: 150, pinnedSeed: 7003 },
};

afterAll(closeRunners);

/** A fault-free program with one in-place write into a borrowed buffer, and the unit that writes. */
const mutatedArb = fc
  .tuple(programArb({ ...spillingShape, faults: false, mutations: false }), fc.nat(), fc.nat())
  .map(([program, unit, position]) => injectMutation(program, unit, position));

describe('verify mode catches an in-place write into a borrowed buffer', propertyTimeout, () => {
  for (const [family, configArb] of Object.entries(configFamilies())) {
    it(`${family} configurations fail the writing unit with SKY_PRISTINE_VIOLATION`, async () => {
      const property = fc.asyncProperty(mutatedArb, configArb, fc.scheduler(), async ({ program, path }, config, scheduler) => {
        const verified = config.kind === 'laptop' ? { ...config, verify: true } : config; // the check under test
        const { outcome } = await observeOn(verified, fitProgram(verified, program), scheduler);
        if (outcome.ok) throw new Error(`${configName(config)}: the write in ${path} went unnoticed`);
        const innermost = outcome.chain.at(-1);
        expect(innermost, configName(config)).toEqual({ code: 'SKY_PRISTINE_VIOLATION', unitPath: path });
        expect(outcome.chain.slice(0, -1).every((link) => link.code === 'SKY_UNIT_FAILED'), configName(config)).toBe(true);
      });
      await assertProperty(`pristine/${family}`, property, budgets[family] ?? { ci: 10, soak: 100, pinnedSeed: 7 });
    });
  }
});
