/**
 * Visit-level algorithms: each scatters one per-sensor coroutine over the camera's sensors and
 * assembles the focal-plane result; `processVisits` scatters `processVisit` over visits. Each visit's
 * result carries its score against the synthetic truth (see `truth/score.ts`).
 */
import { algorithm, scatter } from '../../lib/index.ts';
import type { CameraSpec } from '../camera/camera-spec.ts';
import { sensorPlacements } from '../camera/layout.ts';
import { scoreVisit, type VisitScore } from '../truth/score.ts';
import { astrometrySensor, backgroundSensor, detectSensor, processSensor, psfSensor, type SensorSummary } from './sensor-algorithms.ts';
import type { SensorInput } from './sensor-stages.ts';

export interface VisitInput {
  readonly camera: CameraSpec;
  readonly seed: number;
  readonly visit: number;
  /** Process only the first N sensors (for quick tests); all by default. */
  readonly sensors?: number;
}

export interface VisitsInput {
  readonly camera: CameraSpec;
  readonly seed: number;
  readonly visits: readonly number[];
  readonly sensors?: number;
}

export interface VisitResult {
  readonly visit: number;
  readonly sensors: readonly SensorSummary[];
  readonly score: VisitScore;
}

/** The inputs of the visit's sensor coroutines. */
export function sensorInputs(v: VisitInput): SensorInput[] {
  const all = sensorPlacements(v.camera).map((_, sensor) => ({ camera: v.camera, seed: v.seed, visit: v.visit, sensor }));
  return v.sensors === undefined ? all : all.slice(0, v.sensors);
}

export const processVisit = algorithm(import.meta.url, async function* processVisit(_ctx, v: VisitInput) {
  const sensors = yield* scatter(processSensor, sensorInputs(v), { label: 'sensor' });
  return { visit: v.visit, sensors, score: scoreVisit(v.camera, v.seed, v.visit, sensors) } satisfies VisitResult;
});

export const processVisits = algorithm(import.meta.url, async function* processVisits(_ctx, input: VisitsInput) {
  const visits = input.visits.map((visit) => ({ camera: input.camera, seed: input.seed, visit, ...(input.sensors === undefined ? {} : { sensors: input.sensors }) }));
  return yield* scatter(processVisit, visits, { label: 'visit' });
});

/** Focal-plane background alone: per-sensor models and the score of the background against truth. */
export const focalPlaneBackground = algorithm(import.meta.url, async function* focalPlaneBackground(_ctx, v: VisitInput) {
  const sensors = yield* scatter(backgroundSensor, sensorInputs(v), { label: 'sensor' });
  return { visit: v.visit, sensors, score: scoreVisit(v.camera, v.seed, v.visit, sensors) };
});

/** Background, then detection and centroiding on every sensor. */
export const detectVisit = algorithm(import.meta.url, async function* detectVisit(_ctx, v: VisitInput) {
  return { visit: v.visit, sensors: yield* scatter(detectSensor, sensorInputs(v), { label: 'sensor' }) };
});

/** Background, detection, then global astrometry: per-sensor solutions. */
export const globalAstrometry = algorithm(import.meta.url, async function* globalAstrometry(_ctx, v: VisitInput) {
  return { visit: v.visit, solutions: yield* scatter(astrometrySensor, sensorInputs(v), { label: 'sensor' }) };
});

/** Background, detection, then the focal-plane PSF model. */
export const psfModel = algorithm(import.meta.url, async function* psfModel(_ctx, v: VisitInput) {
  const models = yield* scatter(psfSensor, sensorInputs(v), { label: 'sensor' });
  return { visit: v.visit, model: models[0] };
});
