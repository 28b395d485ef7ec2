import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { focalPlane, type FocalPlaneParams } from '../../../bench/workload/focal-plane.ts';
import { run } from '../../../lib/index.ts';
import { clusterRunner, inlineRunner } from '../../../runners/index.ts';
import { useTempDir } from '../../fixtures/temp-dir.ts';

const tempDir = useTempDir('cluster-budget');

const params: FocalPlaneParams = { sensors: 6, width: 128, height: 128, rounds: 3, cpuPasses: 1 };
const imageBytes = 128 * 128 * 4;

describe('clusterRunner memoryBudget', () => {
  it('spills each host under its own budget with the laptop store and still returns what inline returns', async () => {
    const inline = await run(focalPlane, params, { runner: inlineRunner(), runDir: join(tempDir(), 'inline') });
    const runDir = join(tempDir(), 'cluster');
    const budget = 3 * imageBytes; // 3 sensors per host need 6 images at once in a step: must spill
    const cluster = await run(focalPlane, params, { runner: clusterRunner({ workers: 2, memoryBudget: budget }), runDir });
    expect(cluster.output).toStrictEqual(inline.output);
    expect(cluster.events.some((e) => e.type === 'spill-out')).toBe(true);
    expect(cluster.events.some((e) => e.type === 'spill-in')).toBe(true);
    expect(cluster.stats.peakStoreBytes).toBeLessThanOrEqual(2 * budget); // summed over the 2 hosts
    expect(existsSync(join(runDir, 'cluster-spill'))).toBe(false);
  });
});
