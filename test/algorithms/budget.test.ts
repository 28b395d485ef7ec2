import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cameraPixels, cameraPresets, processVisit, type CameraSpec } from '../../algorithms/index.ts';
import { start } from '../../lib/index.ts';
import { laptopRunner } from '../../runners/index.ts';
import { returnedUncollected } from '../../lib/memory/return-pages.ts';
import { useTempDir } from '../fixtures/temp-dir.ts';

// The shipped algorithms, written the natural way, within a memory budget: nothing they borrowed stays
// resident while they wait, nothing is written to spill while the visit fits, and the retention check
// finds nothing to say.

const tempDir = useTempDir('budget');

/** The LSST focal plane's 189 sensors, each 256×256 (62 MB of images and masks). */
const smallLsst: CameraSpec = { ...cameraPresets.lsst, name: 'lsst-small', sensorWidth: 256, sensorHeight: 256, starDensity: 1000 };

describe('processVisit under a memory budget', () => {
  it('keeps process.memoryUsage().arrayBuffers, less the pages given back, within budget + baseline on 189 sensors with a budget of 1/20 of the data, with no collection forced', async () => {
    const data = cameraPixels(smallLsst) * 5; // Float32 image + Uint8 mask per pixel
    const budget = Math.floor(data / 20);
    const before = process.memoryUsage().arrayBuffers;
    const job = start(processVisit, { camera: smallLsst, seed: 3, visit: 0 }, { runner: laptopRunner({ memoryBudget: Math.max(budget, 64 * 1024) }), verify: false, runDir: join(tempDir(), 'run') });
    // Buffers the store let go of give their pages back to the kernel at once (return-pages.ts) but
    // stay in V8's arrayBuffers count until it collects them: those bytes are not held (bench:scale
    // measures the process's RSS itself), and this thread's count of them is read at each sample.
    let peak = 0;
    job.events.subscribe((event) => {
      if (event.type === 'unit-paused' || event.type === 'spill-in' || event.type === 'memory') peak = Math.max(peak, process.memoryUsage().arrayBuffers - returnedUncollected());
    });
    const { output, stats } = await job.result;
    expect(output.sensors).toHaveLength(189);
    // Baseline: what the process held before, plus the largest single step, plus what is not image
    // data: the waiting units' own state (reference stars, matched pairs, solutions: ~20-25 KB per
    // sensor, ~5 MB here, measured after a collection) and the small arrays the algorithms allocate
    // themselves (catalogs, star lists) that V8 has not collected yet, with the store's spare buffers
    // under 8 KiB it let go of (no detach outside verify mode: those wait for V8 too): 24 MiB for
    // those (measured 15-21 MB over six runs; 16 MiB while spare buffers were detached). What this
    // guards: had the 189 waiting sensors kept the images they borrowed, 50 MB more would be held.
    const allowed = before + budget + stats.peakStepBytes + 24 * 2 ** 20;
    console.log(`189 sensors: data ${data} B, budget ${budget} B, largest step ${stats.peakStepBytes} B, peak arrayBuffers ${peak - before} B above the start`);
    expect(peak).toBeLessThanOrEqual(allowed);
  });

  it('writes no spill when the visit fits in its budget: nothing is written ahead of need', async () => {
    const data = cameraPixels(cameraPresets.tiny) * 5;
    const { events, stats } = await start(processVisit, { camera: cameraPresets.tiny, seed: 5, visit: 1 }, { runner: laptopRunner({ memoryBudget: 4 * data }), verify: false, runDir: join(tempDir(), 'fits') }).result;
    expect(stats.peakStoreBytes).toBeGreaterThan(data / 4); // the budget was used, not idle
    expect(events.filter((e) => e.type === 'spill-out')).toEqual([]);
  });

  it('gives the retention check nothing to report on the shipped algorithms (verify mode, spilling)', async () => {
    const { events, output } = await start(processVisit, { camera: cameraPresets.tiny, seed: 5, visit: 1 }, { runner: laptopRunner({ memoryBudget: '1MB' }), verify: true, runDir: join(tempDir(), 'verify') }).result;
    expect(output.sensors).toHaveLength(9);
    expect(events.some((e) => e.type === 'spill-out')).toBe(true);
    expect(events.filter((e) => e.type === 'warning' && e.code === 'SKY_RETAINED_AFTER_SPILL')).toEqual([]);
  });
});
