/**
 * The per-sensor coroutines, one algorithm per job: the background alone, background then detection,
 * then astrometry or PSF, and `processSensor` chaining them all (10 gathers). Outputs are small plain
 * summaries. Images stay in the store only while a later step reads them: each new version replaces
 * the old one, detection consumes the last, and the subtracted image's checksum is taken when the
 * image is made (so no step reads the image back just to checksum it).
 */
import { algorithm, get } from '../../lib/index.ts';
import type { AstrometricSolution } from '../stages/astrometry.ts';
import type { PsfModel } from '../stages/psf.ts';
import { astrometryStage, backgroundStage, detectStage, loadSensor, measureNoise, psfStage, type SensorInput } from './sensor-stages.ts';

export interface SensorBackground {
  readonly sensor: number;
  readonly noise: number;
  readonly coeffs: readonly number[];
  readonly degree: number;
  readonly pedestal: number;
  readonly rms: number;
  /** Checksum of the background-subtracted image (bit-for-bit comparisons across runners). */
  readonly checksum: string;
}

export interface SensorDetections extends SensorBackground {
  readonly sources: number;
}

export interface SensorSummary extends SensorDetections {
  readonly astrometry: AstrometricSolution;
  readonly psf: PsfModel;
}

export const backgroundSensor = algorithm(import.meta.url, async function* backgroundSensor(_ctx, input: SensorInput) {
  const refs = yield* loadSensor(input);
  const noise = yield* measureNoise(refs);
  const { model, checksum } = yield* backgroundStage(refs, noise);
  return { sensor: input.sensor, noise, ...model, checksum } satisfies SensorBackground;
});

export const detectSensor = algorithm(import.meta.url, async function* detectSensor(_ctx, input: SensorInput) {
  const refs = yield* loadSensor(input);
  const noise = yield* measureNoise(refs);
  const { refs: subtracted, model, checksum } = yield* backgroundStage(refs, noise);
  const catalogRef = yield* detectStage(subtracted, noise);
  return { sensor: input.sensor, noise, ...model, checksum, sources: (yield* get(catalogRef)).x.length } satisfies SensorDetections;
});

export const astrometrySensor = algorithm(import.meta.url, async function* astrometrySensor(_ctx, input: SensorInput) {
  const refs = yield* loadSensor(input);
  const noise = yield* measureNoise(refs);
  const { refs: subtracted } = yield* backgroundStage(refs, noise);
  const catalogRef = yield* detectStage(subtracted, noise);
  return yield* astrometryStage(input, subtracted.frame, catalogRef);
});

export const psfSensor = algorithm(import.meta.url, async function* psfSensor(_ctx, input: SensorInput) {
  const refs = yield* loadSensor(input);
  const noise = yield* measureNoise(refs);
  const { refs: subtracted } = yield* backgroundStage(refs, noise);
  const catalogRef = yield* detectStage(subtracted, noise);
  return yield* psfStage(subtracted.frame, catalogRef);
});

/** The whole per-sensor pipeline: noise, background (3), astrometry (4), PSF (2): 10 gathers. */
export const processSensor = algorithm(import.meta.url, async function* processSensor(_ctx, input: SensorInput) {
  const refs = yield* loadSensor(input);
  const noise = yield* measureNoise(refs);
  const { refs: subtracted, model, checksum } = yield* backgroundStage(refs, noise);
  const catalogRef = yield* detectStage(subtracted, noise);
  const astrometry = yield* astrometryStage(input, subtracted.frame, catalogRef);
  const psf = yield* psfStage(subtracted.frame, catalogRef);
  const sources = (yield* get(catalogRef)).x.length;
  return { sensor: input.sensor, noise, ...model, checksum, sources, astrometry, psf } satisfies SensorSummary;
});
