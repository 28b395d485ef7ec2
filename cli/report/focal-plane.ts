/**
 * Focal-plane panels for the run report, when the run is one of the shipped visit algorithms
 * (`processVisits`, `processVisit`, `focalPlaneBackground`): per visit, on a grid over every sensor,
 * the fitted background and PSF size next to the synthetic truth, the fitted and true distortion and
 * the astrometric residual (model − truth) as vectors, and the sources detected per sensor next to the
 * true stars there as bright as the reference catalog's (flux ≥ `referenceFluxLimit`). Positions
 * are nominal focal-plane pixels. Evaluates the models the run returned; does not run any algorithm,
 * and gives nothing (undefined) for a run of another algorithm.
 */
import type { CameraSpec } from '../../algorithms/camera/camera-spec.ts';
import { sensorMounting, sensorPlacements } from '../../algorithms/camera/layout.ts';
import { evalPoly } from '../../algorithms/math/poly2d.ts';
import { trueStarsOnSensor } from '../../algorithms/sky/render-sensor.ts';
import { referenceFluxLimit } from '../../algorithms/sky/star-field.ts';
import { focalToSky, trueBackgroundSurface, trueDistortion, truePsfSize, visitTruth, type VisitTruth } from '../../algorithms/sky/truth.ts';
import { modelResidual, type AstrometricSolution } from '../../algorithms/stages/astrometry.ts';
import { psfSize, type PsfModel } from '../../algorithms/stages/psf.ts';
import { focalX, focalY, sensorFrame, type SensorFrame } from '../../algorithms/stages/sensor-frame.ts';

/** A grid cell over a sensor: its focal-plane rectangle and the fitted and true values there. */
export interface FocalCell {
  readonly x1: number;
  readonly x2: number;
  readonly y1: number;
  readonly y2: number;
  readonly background: number;
  readonly trueBackground: number;
  readonly psf: number | null;
  readonly truePsf: number;
}

/** A point with vectors in pixels: residual (model − truth), true distortion, the model's distortion (truth + residual). */
export interface FocalVector {
  readonly x: number;
  readonly y: number;
  readonly rx: number;
  readonly ry: number;
  readonly tx: number;
  readonly ty: number;
  readonly fx: number;
  readonly fy: number;
}

export interface FocalSensor {
  readonly sensor: number;
  readonly x1: number;
  readonly x2: number;
  readonly y1: number;
  readonly y2: number;
  readonly sources: number | null;
  /** Stars of the truth on the sensor bright enough for the reference catalog (what astrometry can match). */
  readonly trueStars: number;
}

export interface FocalVisit {
  readonly visit: number;
  readonly sensors: readonly FocalSensor[];
  readonly cells: readonly FocalCell[];
  readonly vectors: readonly FocalVector[];
  readonly score: unknown;
}

interface FittedSensor {
  readonly sensor: number;
  readonly coeffs: readonly number[];
  readonly degree: number;
  readonly pedestal: number;
  readonly sources?: number;
  readonly astrometry?: AstrometricSolution;
  readonly psf?: PsfModel;
}

interface FittedVisit {
  readonly visit: number;
  readonly sensors: readonly FittedSensor[];
  readonly score?: unknown;
}

const cellsPerSide = 8;
const vectorsPerSide = 3;
const round = (x: number, digits = 3): number => Number(x.toPrecision(digits + 2));

/** The panels of every visit of a shipped visit algorithm's run; undefined for anything else. */
export function focalPlaneVisits(input: unknown, output: unknown): FocalVisit[] | undefined {
  const camera = (input as { camera?: CameraSpec } | undefined)?.camera;
  const seed = (input as { seed?: unknown } | undefined)?.seed;
  if (!camera || typeof camera !== 'object' || typeof seed !== 'number') return undefined;
  const visits = Array.isArray(output) ? output : [output];
  if (visits.length === 0 || !visits.every(isFittedVisit)) return undefined;
  return visits.map((v) => focalVisit(camera, seed, v));
}

function isFittedVisit(v: unknown): v is FittedVisit {
  const s = (v as { sensors?: unknown } | null)?.sensors;
  return typeof (v as { visit?: unknown } | null)?.visit === 'number' && Array.isArray(s) && s.every((x) => typeof x?.sensor === 'number' && Array.isArray(x?.coeffs));
}

function focalVisit(camera: CameraSpec, seed: number, fitted: FittedVisit): FocalVisit {
  const truth = visitTruth(camera, seed, fitted.visit);
  const sensors: FocalSensor[] = [];
  const cells: FocalCell[] = [];
  const vectors: FocalVector[] = [];
  for (const s of fitted.sensors) {
    const frame = sensorFrame(camera, s.sensor);
    sensors.push({ sensor: s.sensor, x1: focalX(frame, 0), x2: focalX(frame, frame.width), y1: focalY(frame, 0), y2: focalY(frame, frame.height), sources: s.sources ?? null, trueStars: trueStarsOnSensor({ camera, seed, visit: fitted.visit, sensor: s.sensor }, referenceFluxLimit) });
    cells.push(...sensorCells(frame, truth, s));
    if (s.astrometry) vectors.push(...sensorVectors(camera, seed, frame, truth, s.astrometry));
  }
  return { visit: fitted.visit, sensors, cells, vectors, score: fitted.score ?? null };
}

function sensorCells(frame: SensorFrame, truth: VisitTruth, s: FittedSensor): FocalCell[] {
  const cells: FocalCell[] = [];
  const [w, h] = [frame.width / cellsPerSide, frame.height / cellsPerSide];
  for (let j = 0; j < cellsPerSide; j++) {
    for (let i = 0; i < cellsPerSide; i++) {
      const x = focalX(frame, (i + 0.5) * w) / frame.radius;
      const y = focalY(frame, (j + 0.5) * h) / frame.radius;
      cells.push({
        x1: focalX(frame, i * w),
        x2: focalX(frame, (i + 1) * w),
        y1: focalY(frame, j * h),
        y2: focalY(frame, (j + 1) * h),
        background: round(evalPoly(s.coeffs, s.degree, x, y) + s.pedestal, 5),
        trueBackground: round(trueBackgroundSurface(truth, x, y) + (truth.background.pedestals[s.sensor] ?? 0), 5),
        psf: s.psf ? round(psfSize(s.psf, x, y), 6) : null,
        truePsf: round(truePsfSize(truth, x, y), 6),
      });
    }
  }
  return cells;
}

/** As `scoreVisit` does: the true sky position of a pixel, then the model's and the truth's view of it. */
function sensorVectors(camera: CameraSpec, seed: number, frame: SensorFrame, truth: VisitTruth, solution: AstrometricSolution): FocalVector[] {
  const place = sensorPlacements(camera)[frame.sensor];
  const mount = sensorMounting(seed, frame.sensor);
  if (!place) return [];
  const vectors: FocalVector[] = [];
  for (let j = 0; j < vectorsPerSide; j++) {
    for (let i = 0; i < vectorsPerSide; i++) {
      const u = ((i + 0.5) / vectorsPerSide) * frame.width;
      const v = ((j + 0.5) / vectorsPerSide) * frame.height;
      const [lx, ly] = [u - frame.width / 2, v - frame.height / 2];
      const [c, s] = [Math.cos(mount.rotation), Math.sin(mount.rotation)];
      const [sx, sy] = focalToSky(truth, place.cx + mount.dx + c * lx - s * ly, place.cy + mount.dy + s * lx + c * ly);
      const [rx, ry] = modelResidual(frame, solution, u, v, sx, sy);
      const [tx, ty] = trueDistortion(truth, sx / truth.radius, sy / truth.radius);
      // The model's own distortion: where it puts the star minus where the star is on the sky. Its
      // polynomial alone is not it (a linear part trades off against the per-sensor offsets and rotation).
      const [fx, fy] = [tx + rx, ty + ry];
      vectors.push({ x: round(focalX(frame, u), 6), y: round(focalY(frame, v), 6), rx: round(rx), ry: round(ry), tx: round(tx), ty: round(ty), fx: round(fx), fy: round(fy) });
    }
  }
  return vectors;
}
