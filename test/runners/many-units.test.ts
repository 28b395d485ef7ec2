import { describe, expect, it } from 'vitest';
import { run, type Runner } from '../../lib/index.ts';
import { clusterRunner, inlineRunner, laptopRunner } from '../../runners/index.ts';
import { heapAtFirstGather, manyMembers } from './fixtures/many-units.ts';

const n = 10_000;
const expected = (n * (n - 1)) / 2 + n; // every member returns the count plus the sum of all indices

describe('a group of 10,000 members', () => {
  const runners: [string, () => Runner][] = [
    ['inline', () => inlineRunner()],
    ['laptop', () => laptopRunner({ memoryBudget: 64 * 2 ** 20 })],
    ['cluster (2 workers)', () => clusterRunner({ workers: 2 })],
  ];
  for (const [name, runner] of runners) {
    it(`completes on ${name}, every member answered by both collectives`, async () => {
      const { output, stats } = await run(manyMembers, n, { runner: runner(), verify: false });
      const outputs = output as number[];
      expect(outputs).toHaveLength(n);
      expect(outputs.every((o) => o === expected)).toBe(true);
      expect(stats).toMatchObject({ units: n + 1, collectives: 2 });
    });
  }

  it('holds each suspended member in at most 20 KB of heap beyond its data (inline, laptop)', async () => {
    for (const [name, runner] of runners.slice(0, 2)) {
      (globalThis as { gc?: () => void }).gc?.();
      const before = process.memoryUsage().heapUsed;
      heapAtFirstGather.bytes = undefined;
      await run(manyMembers, n, { runner: (runner as () => Runner)(), verify: false });
      // Its data is a number in and a number gathered: a few bytes. Everything else is skyloom's (the
      // unit, its generator, the store's and the group's bookkeeping, its events in the run's window).
      const perUnit = (Number(heapAtFirstGather.bytes) - before) / n; // NaN (and a failure) if the central never ran
      console.log(`${name}: ${(perUnit / 1024).toFixed(1)} KB of heap per suspended unit (${n} units at a gather)`);
      expect(perUnit).toBeGreaterThan(0);
      expect(perUnit).toBeLessThan(20 * 1024);
    }
  });
});
