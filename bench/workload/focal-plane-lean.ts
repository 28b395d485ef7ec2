/**
 * The focal-plane workload written for a memory budget: the same per-sensor arithmetic, central fit and
 * outputs as `focalPlane` (bit-identical results), but each sensor gets its image again after the
 * gather instead of keeping the pixels in a local across the pause. `focalPlane` keeps them, which is
 * fine inline but pins every sensor's image in memory whatever the store spills; the laptop runner's
 * retention check warns about exactly that. Does not change `focal-plane.ts`.
 */
import { algorithm, gather, get, put, scatter } from '../../lib/index.ts';
import { applyCorrection, fitGlobal, makeImage, sha1Of, summarize, type FocalPlaneParams, type SensorJob } from './focal-plane.ts';

export const focalPlaneLeanSensor = algorithm(import.meta.url, async function* focalPlaneLeanSensor(_ctx, job: SensorJob) {
  let image = yield* put(makeImage(job.index, job.width, job.height));
  for (let round = 0; round < job.rounds; round++) {
    const summary = summarize(yield* get(image), job.cpuPasses);
    const correction = yield* gather(summary, fitGlobal);
    image = yield* put(applyCorrection(yield* get(image), correction, job.index));
  }
  return { index: job.index, sha1: sha1Of(yield* get(image)) };
});

export const focalPlaneLean = algorithm(import.meta.url, async function* focalPlaneLean(_ctx, p: FocalPlaneParams) {
  const { sensors, ...job } = p;
  return yield* scatter(focalPlaneLeanSensor, Array.from({ length: sensors }, (_, index) => ({ ...job, index })), { label: 'sensor' });
});
