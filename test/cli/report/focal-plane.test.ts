import { describe, expect, it } from 'vitest';
import { cameraPresets, processVisit, type VisitResult } from '../../../algorithms/index.ts';
import { focalPlaneVisits } from '../../../cli/report/focal-plane.ts';
import { run } from '../../../lib/index.ts';
import { inlineRunner } from '../../../runners/index.ts';

const rms = (xs: readonly number[]): number => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length);

describe('the focal-plane panels', () => {
  it('evaluate the fitted models and the truth where scoreVisit does: their differences give its scores', async () => {
    const input = { camera: cameraPresets.tiny, seed: 5, visit: 2 };
    const { output } = await run(processVisit, input, { runner: inlineRunner() });
    const result = output as VisitResult;
    const [visit] = focalPlaneVisits(input, result) ?? [];
    expect(visit?.visit).toBe(2);
    expect(visit?.sensors.map((s) => s.sources)).toEqual(result.sensors.map((s) => s.sources));
    // Next to them, the true stars as bright as the reference catalog's: as many, give or take detection.
    const [detected, bright] = [visit?.sensors.reduce((n, s) => n + (s.sources ?? 0), 0) ?? 0, visit?.sensors.reduce((n, s) => n + s.trueStars, 0) ?? 0];
    expect(bright).toBeGreaterThan(9);
    expect(detected / bright).toBeGreaterThan(0.25);
    expect(detected / bright).toBeLessThan(4);
    const cells = visit?.cells ?? [];
    expect(cells).toHaveLength(9 * 64);
    const level = Math.sqrt(cells.reduce((a, c) => a + c.trueBackground, 0) / cells.length);
    expect(rms(cells.map((c) => c.background - c.trueBackground)) / level).toBeCloseTo(result.score.backgroundRmsOverNoise, 4);
    expect(rms(cells.map((c) => (c.psf ?? NaN) / c.truePsf - 1))).toBeCloseTo(result.score.psfSizeRms ?? NaN, 4);
    // Residual vectors on a coarser grid: same order as the score's RMS, and the model's distortion is truth + residual.
    const vectors = visit?.vectors ?? [];
    expect(vectors).toHaveLength(9 * 9);
    const residual = rms(vectors.flatMap((v) => [v.rx, v.ry])) * Math.SQRT2;
    expect(residual).toBeGreaterThan((result.score.distortionRmsPx ?? 0) / 3);
    expect(residual).toBeLessThan((result.score.distortionRmsPx ?? 0) * 3);
    for (const v of vectors) expect(v.fx).toBeCloseTo(v.tx + v.rx, 2);
  });

  it('gives nothing for the output of another algorithm', () => {
    expect(focalPlaneVisits({ visits: 2 }, { firsts: [] })).toBeUndefined();
    expect(focalPlaneVisits({ camera: cameraPresets.tiny, seed: 1 }, [{ visit: 0, sensors: [{ sensor: 0 }] }])).toBeUndefined();
  });
});
