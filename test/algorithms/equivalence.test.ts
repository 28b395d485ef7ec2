import { describe, expect, it } from 'vitest';
import { cameraPresets, detectVisit, focalPlaneBackground, globalAstrometry, processVisits, psfModel } from '../../algorithms/index.ts';
import { run, type Algorithm, type Runner } from '../../lib/index.ts';
import * as runners from '../../runners/index.ts';

// The `tiny` camera (9 sensors of 256×256: 2.9 MB of images per visit) under a 1 MB budget forces the
// laptop runner to spill; the cluster runner is covered once runners/index.ts exports it.
const camera = cameraPresets.tiny;
const available = runners as Record<string, unknown>;
const others: [string, () => Runner][] = [['laptop (1 MB budget)', () => runners.laptopRunner({ memoryBudget: 1_000_000 })]];
if (typeof available.clusterRunner === 'function') {
  const cluster = available.clusterRunner as (o: object) => Runner;
  others.push(['cluster (2 workers)', () => cluster({ workers: 2 })]);
}

async function compare(alg: Algorithm<unknown, unknown>, input: unknown, make: () => Runner): Promise<void> {
  const reference = await run(alg, input, { runner: runners.inlineRunner(), seed: 3 });
  const other = await run(alg, input, { runner: make(), seed: 3 });
  expect(other.output).toEqual(reference.output);
}

describe.each(others)('algorithms on the %s runner', (_name, make) => {
  it('processVisits gives the inline runner\'s result, with spilling', async () => {
    const input = { camera, seed: 5, visits: [0, 1] };
    const reference = await run(processVisits, input, { runner: runners.inlineRunner(), seed: 3 });
    const other = await run(processVisits, input, { runner: make(), seed: 3 });
    expect(other.output).toEqual(reference.output);
    if (_name.startsWith('laptop')) expect(other.events.some((e) => e.type === 'spill-out')).toBe(true);
  });

  it.each([
    ['focalPlaneBackground', focalPlaneBackground],
    ['detectVisit', detectVisit],
    ['globalAstrometry', globalAstrometry],
    ['psfModel', psfModel],
  ] as [string, Algorithm<unknown, unknown>][])('%s gives the inline runner\'s result', async (_alg, alg) => {
    await compare(alg, { camera, seed: 11, visit: 2 }, make);
  });
});
