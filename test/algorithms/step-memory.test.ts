import { describe, expect, it } from 'vitest';
import { cameraPresets, detectVisit, focalPlaneBackground, globalAstrometry, processVisit, psfModel } from '../../algorithms/index.ts';
import { run, type Algorithm } from '../../lib/index.ts';
import { inlineRunner } from '../../runners/index.ts';

// The largest step of every shipped sensor algorithm, on the `tiny` camera (256×256 sensors), stays
// within one sensor's image (Float32) + mask (Uint8) + one Float64 plane of working memory, plus 10%:
// no step holds two copies of a full image beyond what it needs. Working memory comes from `scratch`,
// so it is counted in `peakStepBytes` (an allocation with `new` would be invisible to it).
const camera = cameraPresets.tiny;
const pixels = camera.sensorWidth * camera.sensorHeight;
const bound = Math.floor(pixels * (4 + 1 + 8) * 1.1);

describe('the shipped sensor algorithms under step accounting', () => {
  it.each([
    ['processVisit', processVisit],
    ['focalPlaneBackground', focalPlaneBackground],
    ['detectVisit', detectVisit],
    ['globalAstrometry', globalAstrometry],
    ['psfModel', psfModel],
  ] as [string, Algorithm<unknown, unknown>][])('%s keeps its largest step within image + mask + one Float64 plane', async (_name, alg) => {
    const { stats } = await run(alg, { camera, seed: 5, visit: 0 }, { runner: inlineRunner() });
    console.log(`${_name}: peakStepBytes ${stats.peakStepBytes} of bound ${bound} (${(stats.peakStepBytes / pixels).toFixed(2)} bytes/pixel)`);
    expect(stats.primitives.scratch).toBeGreaterThan(0);
    expect(stats.peakStepBytes).toBeGreaterThanOrEqual(pixels * (4 + 1)); // the image and mask are made in one step
    expect(stats.peakStepBytes).toBeLessThanOrEqual(bound);
  });
});
