/**
 * Visit-level algorithms: each scatters one per-sensor coroutine over the camera's sensors and
 * assembles the focal-plane result; `processVisits` scatters `processVisit` over visits. Each visit's
 * result carries its score against the synthetic truth (see `truth/score.ts`).
 *
 * `processVisit` collects failed sensors (`onFailure: 'collect'`): the visit completes from the others,
 * which are scored, and lists the failed ones with their error codes. `failFast` restores
 * all-or-nothing: the first failed sensor fails the visit.
 */
import { algorithm, codeOf, scatter, type SkyloomError } from '../../lib/index.ts';
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
  /** A failed sensor fails the visit (all-or-nothing) instead of being left out of it. */
  readonly failFast?: boolean;
}

export interface VisitsInput {
  readonly camera: CameraSpec;
  readonly seed: number;
  readonly visits: readonly number[];
  readonly sensors?: number;
  readonly failFast?: boolean;
}

/** A sensor whose processing failed and which the visit went on without. */
export interface FailedSensor {
  readonly sensor: number;
  readonly path: string;
  /** The original error's code (e.g. `SENSOR_DEAD_AMPLIFIER`), `ERR_USER` when it has none. */
  readonly code: string;
  readonly message: string;
}

export interface VisitResult {
  readonly visit: number;
  /** The sensors processed, in sensor order (the failed ones left out). */
  readonly sensors: readonly SensorSummary[];
  readonly failed: readonly FailedSensor[];
  readonly score: VisitScore;
}

/** The inputs of the visit's sensor coroutines. */
export function sensorInputs(v: VisitInput): SensorInput[] {
  const all = sensorPlacements(v.camera).map((_, sensor) => ({ camera: v.camera, seed: v.seed, visit: v.visit, sensor }));
  return v.sensors === undefined ? all : all.slice(0, v.sensors);
}

export const processVisit = algorithm(import.meta.url, async function* processVisit(_ctx, v: VisitInput) {
  const inputs = sensorInputs(v);
  if (v.failFast) {
    const sensors = yield* scatter(processSensor, inputs, { label: 'sensor' });
    return { visit: v.visit, sensors, failed: [], score: scoreVisit(v.camera, v.seed, v.visit, sensors) } satisfies VisitResult;
  }
  const outcomes = yield* scatter(processSensor, inputs, { label: 'sensor', onFailure: 'collect' });
  const sensors = outcomes.flatMap((o) => (o.ok ? [o.value] : []));
  const failed = outcomes.flatMap((o, i) => (o.ok ? [] : [failedSensor(inputs[i] as SensorInput, o.error)]));
  return { visit: v.visit, sensors, failed, score: scoreVisit(v.camera, v.seed, v.visit, sensors) } satisfies VisitResult;
});

function failedSensor(input: SensorInput, error: SkyloomError): FailedSensor {
  const cause = error.cause instanceof Error ? error.cause : error;
  return { sensor: input.sensor, path: error.unitPath ?? '', code: codeOf(cause) ?? 'ERR_USER', message: cause.message };
}

export const processVisits = algorithm(import.meta.url, async function* processVisits(_ctx, input: VisitsInput) {
  const optional = { ...(input.sensors === undefined ? {} : { sensors: input.sensors }), ...(input.failFast ? { failFast: true } : {}) };
  const visits = input.visits.map((visit) => ({ camera: input.camera, seed: input.seed, visit, ...optional }));
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
