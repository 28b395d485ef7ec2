import { describe, expect, it } from 'vitest';
import { cameraPresets, processVisit } from '../../algorithms/index.ts';
import { run } from '../../lib/index.ts';
import { inlineRunner } from '../../runners/index.ts';

// One full visit of the `demo` camera (36 sensors of 1024×1024) on the reference runner, scored
// against the synthetic truth on an 8×8 grid of points per sensor. Verify mode (on for the suite) is
// off here: this test is about the numbers, the equivalence tests run the same stages verified, and
// checksumming every borrowed image slows the suite's longest file (alone, quiet machine: 32 → 29 s).
describe('processVisit on the demo camera', () => {
  it('recovers distortion, PSF size and background within the targets', async () => {
    const { output, stats } = await run(processVisit, { camera: cameraPresets.demo, seed: 7, visit: 1 }, { runner: inlineRunner(), verify: false });
    console.log('demo visit score', JSON.stringify(output.score));
    expect(output.score.distortionRmsPx).toBeLessThan(0.02);
    expect(output.score.psfSizeRms).toBeLessThan(0.02);
    expect(output.score.backgroundRmsOverNoise).toBeLessThan(0.1);
    expect(stats.collectives).toBeGreaterThanOrEqual(10);
    expect(output.sensors).toHaveLength(36);
    expect(output.sensors.every((s) => s.astrometry.matched >= 30)).toBe(true);
  });
});
