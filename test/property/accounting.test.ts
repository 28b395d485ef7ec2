import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { differenceOfRunner } from './check.ts';
import { fitToBudget, programArb, spillingShape } from './program-arb.ts';
import { assertProperty, propertyTimeout } from './settings.ts';
import { probedRunner, type Accounting, type StoreKind } from './store-probe.ts';

const storeKindArb: fc.Arbitrary<StoreKind> = fc.oneof(
  fc.constant({ kind: 'memory' as const }),
  fc.record({ kind: fc.constant('budgeted' as const), budget: fc.constantFrom(64 * 1024, 256 * 1024, 1024 ** 3) }),
);

describe('store accounting returns to zero', propertyTimeout, () => {
  it('the stores of the inline and laptop runners hold 0 bytes, in memory and on disk, once a run closes them', async () => {
    const property = fc.asyncProperty(programArb(spillingShape), storeKindArb, async (program, kind) => {
      let accounting: Accounting | undefined;
      const fitted = fitToBudget(program, kind.kind === 'budgeted' ? kind.budget : undefined);
      const difference = await differenceOfRunner(probedRunner(kind, (a) => (accounting = a)), fitted);
      if (difference) throw new Error(`${kind.kind} store run disagrees with inline: ${difference}`);
      expect(accounting, 'the store was closed').toBeDefined();
      expect(accounting?.bytes, 'resident bytes after close').toBe(0);
      if (kind.kind === 'budgeted') expect(accounting?.diskBytes, 'spilled bytes after close').toBe(0);
    });
    await assertProperty('accounting/stores', property, { ci: 200, soak: 3000, pinnedSeed: 9090 });
  });
});
