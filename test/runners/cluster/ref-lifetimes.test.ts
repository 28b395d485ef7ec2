import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../lib/index.ts';
import { clusterRunner, inlineRunner } from '../../../runners/index.ts';
import { churnRoot, escapeRoot } from './fixtures/lifetime-algorithms.ts';
import { useTempDir } from '../../fixtures/temp-dir.ts';

// Contract 3 across threads: a host frees the versions a unit takes back at once, with no garbage
// collection, and never frees a ref whose handle left the thread (a copy elsewhere holds it).

const tempDir = useTempDir('cluster-lifetimes');

const imageBytes = 64 * 1024 * 4;

describe('cluster ref lifetimes', () => {
  it('keeps refs that left their host (gathered, returned) readable on every host after a collection there', async () => {
    for (const memoryBudget of [undefined, 64 * imageBytes]) {
      const runner = clusterRunner({ workers: 2, ...(memoryBudget === undefined ? {} : { memoryBudget }) });
      const cluster = await run(escapeRoot, 2, { runner, runDir: join(tempDir(), `c${memoryBudget ?? ''}`), verify: true });
      const inline = await run(escapeRoot, 2, { runner: inlineRunner(), runDir: join(tempDir(), 'i'), verify: true });
      const out = cluster.output;
      expect(new Set(out.makers).size).toBe(2); // refs were made on both hosts...
      expect(new Set(out.collectors)).toStrictEqual(new Set(out.makers)); // ...both collected...
      expect(new Set(out.readers)).toStrictEqual(new Set(out.makers)); // ...and each read the other's too
      expect(out.sums).toStrictEqual(inline.output.sums);
    }
  });

  it('frees the versions a unit took back on its host, with no collection: store bytes stay near what is live, not what was made', async () => {
    const sensors = 4;
    const versions = 12;
    for (const memoryBudget of [undefined, 64 * imageBytes]) {
      const runner = clusterRunner({ workers: 2, ...(memoryBudget === undefined ? {} : { memoryBudget }) });
      const result = await run(churnRoot, { sensors, versions }, { runner, runDir: join(tempDir(), `churn${memoryBudget ?? ''}`) });
      expect(result.output).toStrictEqual(Array.from({ length: sensors }, () => versions));
      // Kept until the end this would be sensors × versions images. Unbudgeted, live at once is one
      // version per sensor plus the step's new one; budgeted, the freed memory is kept as spare
      // buffers for recycling, within the run's budget.
      expect(result.stats.peakStoreBytes).toBeLessThanOrEqual(memoryBudget ?? sensors * 2 * imageBytes);
      expect(result.stats.peakStoreBytes).toBeGreaterThanOrEqual(sensors * imageBytes);
    }
  });
});
