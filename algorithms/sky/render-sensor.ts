/**
 * Makes one sensor's image and mask on demand, from the visit's truth: background surface plus the
 * sensor's pedestal, stars drawn with the local PSF (a sampled elliptical Gaussian) at their true pixel
 * positions (distortion, mounting offset and rotation applied), Gaussian noise of variance equal to
 * the signal (gain 1), cosmic rays, and bad columns (flagged in the mask, as a calibration would).
 *
 * Never makes more than one sensor at a time. Deterministic in (seed, visit, sensor).
 */
import type { CameraSpec } from '../camera/camera-spec.ts';
import { sensorMounting, sensorPlacements, type SensorPlacement } from '../camera/layout.ts';
import { mixSeed, randomStream, type RandomStream } from '../math/seeds.ts';
import { applySensorDefects } from './defects.ts';
import { starsInRegion } from './star-field.ts';
import { skyToFocal, trueBackgroundSurface, truePsfMoments, visitTruth, type VisitTruth } from './truth.ts';

export const MaskBit = { Bad: 1, Detected: 2 } as const;

export interface SensorImage {
  readonly width: number;
  readonly height: number;
  readonly image: Float32Array;
  readonly mask: Uint8Array;
}

export interface SensorId {
  readonly camera: CameraSpec;
  readonly seed: number;
  readonly visit: number;
  readonly sensor: number;
}

export function renderSensor(id: SensorId): SensorImage {
  const { camera, seed, visit, sensor } = id;
  const truth = visitTruth(camera, seed, visit);
  const place = sensorPlacements(camera)[sensor];
  if (!place) throw new RangeError(`renderSensor: expected a sensor index below ${sensorPlacements(camera).length}, got ${sensor}`);
  const w = camera.sensorWidth;
  const h = camera.sensorHeight;
  const signal = new Float64Array(w * h);
  addBackground(signal, truth, place, w, h, truth.background.pedestals[sensor] ?? 0);
  addStars(signal, id, truth, place);
  const rng = randomStream(mixSeed(seed, 0x6e6f6973, visit, sensor));
  const image = new Float32Array(w * h);
  for (let k = 0; k < image.length; k++) {
    const s = signal[k] as number;
    image[k] = s + Math.sqrt(Math.max(s, 0)) * rng.normal();
  }
  addCosmicRays(image, w, h, camera, rng);
  const mask = new Uint8Array(w * h);
  addBadColumns(image, mask, w, h, rng);
  applySensorDefects(camera, seed, sensor, image, w, h);
  return { width: w, height: h, image, mask };
}

function addBackground(signal: Float64Array, t: VisitTruth, place: SensorPlacement, w: number, h: number, pedestal: number): void {
  for (let v = 0, k = 0; v < h; v++) {
    const y = (place.cy + v - h / 2) / t.radius;
    for (let u = 0; u < w; u++, k++) signal[k] = trueBackgroundSurface(t, (place.cx + u - w / 2) / t.radius, y) + pedestal;
  }
}

function addStars(signal: Float64Array, id: SensorId, t: VisitTruth, place: SensorPlacement): void {
  const { camera, seed, visit, sensor } = id;
  const w = camera.sensorWidth;
  const h = camera.sensorHeight;
  const mount = sensorMounting(seed, sensor);
  const margin = 40;
  const stars = starsInRegion(camera, seed, visit, {
    xmin: place.cx - w / 2 - margin,
    xmax: place.cx + w / 2 + margin,
    ymin: place.cy - h / 2 - margin,
    ymax: place.cy + h / 2 + margin,
  });
  const cos = Math.cos(mount.rotation);
  const sin = Math.sin(mount.rotation);
  for (let i = 0; i < stars.x.length; i++) {
    const [fx, fy] = skyToFocal(t, stars.x[i] as number, stars.y[i] as number);
    // L = R(-rotation)(F - C - offset)
    const ax = fx - place.cx - mount.dx;
    const ay = fy - place.cy - mount.dy;
    const u = cos * ax + sin * ay + w / 2;
    const v = -sin * ax + cos * ay + h / 2;
    const moments = truePsfMoments(t, (place.cx + u - w / 2) / t.radius, (place.cy + v - h / 2) / t.radius);
    drawGaussian(signal, w, h, u, v, stars.flux[i] as number, moments);
  }
}

/** Adds a sampled elliptical Gaussian of total flux `flux` centred at (u, v). */
export function drawGaussian(target: Float64Array, w: number, h: number, u: number, v: number, flux: number, [ixx, iyy, ixy]: readonly number[]): void {
  const det = (ixx as number) * (iyy as number) - (ixy as number) ** 2;
  const a = (iyy as number) / det;
  const b = -(ixy as number) / det;
  const c = (ixx as number) / det;
  const norm = flux / (2 * Math.PI * Math.sqrt(det));
  const reach = Math.ceil(5 * Math.sqrt(Math.max(ixx as number, iyy as number)));
  const u0 = Math.max(0, Math.floor(u) - reach);
  const u1 = Math.min(w - 1, Math.ceil(u) + reach);
  const v0 = Math.max(0, Math.floor(v) - reach);
  const v1 = Math.min(h - 1, Math.ceil(v) + reach);
  for (let py = v0; py <= v1; py++) {
    const dy = py - v;
    for (let px = u0; px <= u1; px++) {
      const dx = px - u;
      const k = py * w + px;
      target[k] = (target[k] as number) + norm * Math.exp(-0.5 * (a * dx * dx + 2 * b * dx * dy + c * dy * dy));
    }
  }
}

function addCosmicRays(image: Float32Array, w: number, h: number, camera: CameraSpec, rng: RandomStream): void {
  const count = Math.round((camera.cosmicRayDensity * w * h) / 1e6);
  for (let i = 0; i < count; i++) {
    let x = rng.uniform() * w;
    let y = rng.uniform() * h;
    const angle = 2 * Math.PI * rng.uniform();
    const length = 1 + Math.floor(6 * rng.uniform());
    const energy = 300 + 3000 * rng.uniform();
    for (let s = 0; s < length; s++, x += Math.cos(angle), y += Math.sin(angle)) {
      const px = Math.floor(x);
      const py = Math.floor(y);
      if (px >= 0 && px < w && py >= 0 && py < h) image[py * w + px] = (image[py * w + px] as number) + energy;
    }
  }
}

function addBadColumns(image: Float32Array, mask: Uint8Array, w: number, h: number, rng: RandomStream): void {
  const count = Math.floor(2.5 * rng.uniform());
  for (let i = 0; i < count; i++) {
    const column = Math.floor(rng.uniform() * w);
    const value = 5000 + 20000 * rng.uniform();
    for (let v = 0; v < h; v++) {
      image[v * w + column] = value;
      mask[v * w + column] = (mask[v * w + column] as number) | MaskBit.Bad;
    }
  }
}
