/**
 * The truth of one visit: optical distortion, PSF shape across the focal plane and background surface
 * (plus per-sensor pedestals). Plain data, derived from (seed, visit) only, so every runner and every
 * unit sees the same sky. Coordinates given to the functions here are normalised focal-plane
 * coordinates (pixels divided by `focalPlaneRadius`), except where named `px`.
 *
 * This module knows nothing of images or stars; see `star-field.ts` and `render-sensor.ts`.
 */
import { focalPlaneRadius, sensorPlacements } from '../camera/layout.ts';
import type { CameraSpec } from '../camera/camera-spec.ts';
import { mixSeed, randomStream } from '../math/seeds.ts';

export interface VisitTruth {
  readonly radius: number;
  /** Distortion D(s) = amplitude·(k·r²·s + tangential terms), in pixels. */
  readonly distortion: { readonly amplitude: number; readonly k: number; readonly p1: number; readonly p2: number };
  /** PSF second moments (pixels²) as degree-2 polynomials: σ0²·(1 + a1 x + a2 y + a3 r² ± e1), σ0²·(e2 + c x y). */
  readonly psf: { readonly sigma0: number; readonly a1: number; readonly a2: number; readonly a3: number; readonly e1: number; readonly e2: number; readonly c: number };
  /** Background level·(1 + g1 x + g2 y + q1 x² + q2 x y + q3 y²) + pedestal of the sensor, in ADU. */
  readonly background: { readonly level: number; readonly g1: number; readonly g2: number; readonly q1: number; readonly q2: number; readonly q3: number; readonly pedestals: readonly number[] };
}

export function visitTruth(camera: CameraSpec, seed: number, visit: number): VisitTruth {
  const rng = randomStream(mixSeed(seed, 0x7472757468, visit));
  const sensors = sensorPlacements(camera).length;
  return {
    radius: focalPlaneRadius(camera),
    distortion: { amplitude: camera.distortionPx, k: 0.5 + 0.03 * rng.normal(), p1: 0.12 + 0.02 * rng.normal(), p2: -0.08 + 0.02 * rng.normal() },
    psf: { sigma0: 1.7 + 0.25 * rng.uniform(), a1: 0.06 * rng.normal(), a2: 0.06 * rng.normal(), a3: 0.15, e1: 0.04 * rng.normal(), e2: 0.04 * rng.normal(), c: 0.03 },
    background: {
      level: 800 + 400 * rng.uniform(),
      g1: 0.05 * rng.normal(),
      g2: 0.05 * rng.normal(),
      q1: 0.04 * rng.normal(),
      q2: 0.04 * rng.normal(),
      q3: 0.04 * rng.normal(),
      pedestals: Array.from({ length: sensors }, () => 4 * rng.normal()),
    },
  };
}

/** True distortion at normalised sky position (x, y), in pixels. */
export function trueDistortion(t: VisitTruth, x: number, y: number): [number, number] {
  const { amplitude: a, k, p1, p2 } = t.distortion;
  const r2 = x * x + y * y;
  return [a * (k * r2 * x + p1 * (r2 + 2 * x * x) + 2 * p2 * x * y), a * (k * r2 * y + p2 * (r2 + 2 * y * y) + 2 * p1 * x * y)];
}

/** Sky position (pixels) → true focal-plane position (pixels). */
export function skyToFocal(t: VisitTruth, sx: number, sy: number): [number, number] {
  const [dx, dy] = trueDistortion(t, sx / t.radius, sy / t.radius);
  return [sx + dx, sy + dy];
}

/** True focal-plane position (pixels) → sky position (pixels), by fixed-point iteration. */
export function focalToSky(t: VisitTruth, fx: number, fy: number): [number, number] {
  let sx = fx;
  let sy = fy;
  for (let i = 0; i < 8; i++) {
    const [dx, dy] = trueDistortion(t, sx / t.radius, sy / t.radius);
    sx = fx - dx;
    sy = fy - dy;
  }
  return [sx, sy];
}

/** True PSF second moments [ixx, iyy, ixy] at normalised focal position (x, y). */
export function truePsfMoments(t: VisitTruth, x: number, y: number): [number, number, number] {
  const { sigma0, a1, a2, a3, e1, e2, c } = t.psf;
  const s2 = sigma0 * sigma0;
  const common = 1 + a1 * x + a2 * y + a3 * (x * x + y * y);
  return [s2 * (common + e1), s2 * (common - e1), s2 * (e2 + c * x * y)];
}

/** True PSF size sqrt((ixx + iyy) / 2), pixels. */
export function truePsfSize(t: VisitTruth, x: number, y: number): number {
  const [ixx, iyy] = truePsfMoments(t, x, y);
  return Math.sqrt((ixx + iyy) / 2);
}

/** True smooth background at normalised focal position (x, y), without the sensor pedestal. */
export function trueBackgroundSurface(t: VisitTruth, x: number, y: number): number {
  const { level, g1, g2, q1, q2, q3 } = t.background;
  return level * (1 + g1 * x + g2 * y + q1 * x * x + q2 * x * y + q3 * y * y);
}
