/**
 * Scores fitted models against the synthetic truth, on a grid of points over every sensor:
 * - distortion: RMS length of (model − truth) nominal position for points of known true sky position;
 * - PSF: RMS of the relative error of the PSF size sqrt((ixx + iyy) / 2);
 * - background: RMS of (model − truth) over the pixel noise RMS (sqrt of the mean background: gain 1).
 * Pure and cheap; knows the truth, so it is for tests and reports, never for the algorithms themselves.
 */
import type { CameraSpec } from '../camera/camera-spec.ts';
import { sensorMounting, sensorPlacements } from '../camera/layout.ts';
import { evalPoly } from '../math/poly2d.ts';
import { focalToSky, trueBackgroundSurface, truePsfSize, visitTruth } from '../sky/truth.ts';
import { modelResidual, type AstrometricSolution } from '../stages/astrometry.ts';
import { psfSize, type PsfModel } from '../stages/psf.ts';
import { focalX, focalY, sensorFrame } from '../stages/sensor-frame.ts';

export interface FittedSensor {
  readonly sensor: number;
  readonly coeffs: readonly number[];
  readonly degree: number;
  readonly pedestal: number;
  readonly astrometry?: AstrometricSolution;
  readonly psf?: PsfModel;
}

export interface VisitScore {
  /** Pixels; undefined when no astrometry was fitted. */
  readonly distortionRmsPx: number | undefined;
  /** Fraction (0.01 = 1%). */
  readonly psfSizeRms: number | undefined;
  /** Fraction of the pixel noise RMS. */
  readonly backgroundRmsOverNoise: number;
}

const gridPoints = 8;

export function scoreVisit(camera: CameraSpec, seed: number, visit: number, sensors: readonly FittedSensor[]): VisitScore {
  const truth = visitTruth(camera, seed, visit);
  const placements = sensorPlacements(camera);
  const acc = { astro: 0, psf: 0, bg: 0, level: 0, n: 0 };
  for (const fitted of sensors) {
    const frame = sensorFrame(camera, fitted.sensor);
    const mount = sensorMounting(seed, fitted.sensor);
    const place = placements[fitted.sensor];
    if (!place) continue;
    for (let j = 0; j < gridPoints; j++) {
      for (let i = 0; i < gridPoints; i++) {
        const u = ((i + 0.5) / gridPoints) * frame.width;
        const v = ((j + 0.5) / gridPoints) * frame.height;
        const x = focalX(frame, u) / frame.radius;
        const y = focalY(frame, v) / frame.radius;
        acc.n++;
        const trueBackground = trueBackgroundSurface(truth, x, y) + (truth.background.pedestals[fitted.sensor] ?? 0);
        acc.bg += (evalPoly(fitted.coeffs, fitted.degree, x, y) + fitted.pedestal - trueBackground) ** 2;
        acc.level += trueBackground;
        if (fitted.psf) acc.psf += (psfSize(fitted.psf, x, y) / truePsfSize(truth, x, y) - 1) ** 2;
        if (fitted.astrometry) {
          const lx = u - frame.width / 2;
          const ly = v - frame.height / 2;
          const c = Math.cos(mount.rotation);
          const s = Math.sin(mount.rotation);
          const [sx, sy] = focalToSky(truth, place.cx + mount.dx + c * lx - s * ly, place.cy + mount.dy + s * lx + c * ly);
          const [ex, ey] = modelResidual(frame, fitted.astrometry, u, v, sx, sy);
          acc.astro += ex * ex + ey * ey;
        }
      }
    }
  }
  const n = Math.max(acc.n, 1);
  return {
    distortionRmsPx: sensors.every((s) => s.astrometry) ? Math.sqrt(acc.astro / n) : undefined,
    psfSizeRms: sensors.every((s) => s.psf) ? Math.sqrt(acc.psf / n) : undefined,
    backgroundRmsOverNoise: Math.sqrt(acc.bg / n) / Math.sqrt(acc.level / n),
  };
}
