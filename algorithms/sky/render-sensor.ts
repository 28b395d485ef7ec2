/**
 * Makes one sensor's image and mask on demand, from the visit's truth: background surface plus the
 * sensor's pedestal, stars drawn with the local PSF (a sampled elliptical Gaussian) at their true pixel
 * positions (distortion, mounting offset and rotation applied), Gaussian noise of variance equal to
 * the signal (gain 1), cosmic rays, and bad columns (flagged in the mask, as a calibration would).
 *
 * Never makes more than one sensor at a time, and never a full Float64 plane (see `renderSensorInto`).
 * Deterministic in (seed, visit, sensor). Does not allocate its outputs for a coroutine: stages pass
 * arrays from `scratch`.
 */
import { SkyloomTypeError } from '../../lib/index.ts';
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

/** Rows of signal `renderSensor` works in: a band of ~1/16 of the sensor, at most 1 MB of Float64. */
export function signalBandRows(width: number, height: number): number {
  return Math.max(1, Math.min(Math.ceil(height / 16), Math.floor(131_072 / width)));
}

/** The sensor's image and mask in fresh arrays (for callers outside a coroutine; stages use `renderSensorInto`). */
export function renderSensor(id: SensorId): SensorImage {
  const w = id.camera.sensorWidth;
  const h = id.camera.sensorHeight;
  const image = new Float32Array(w * h);
  const mask = new Uint8Array(w * h);
  renderSensorInto(id, image, mask, new Float64Array(signalBandRows(w, h) * w));
  return { width: w, height: h, image, mask };
}

/**
 * Renders the sensor into `image` and `mask` (width × height each; every pixel is written). `signal`
 * is working memory for the noiseless Float64 signal of a band of whole rows (any number from 1 to
 * the height): the sensor is made band by band, so the full Float64 plane never exists. The result is
 * the same bit for bit whatever the band: each pixel sums background then stars in the same order, and
 * the noise stream runs over the pixels in order.
 */
export function renderSensorInto(id: SensorId, image: Float32Array, mask: Uint8Array, signal: Float64Array): void {
  const { camera, seed, visit, sensor } = id;
  const truth = visitTruth(camera, seed, visit);
  const place = sensorPlacements(camera)[sensor];
  if (!place) throw new RangeError(`renderSensor: expected a sensor index below ${sensorPlacements(camera).length}, got ${sensor}`);
  const w = camera.sensorWidth;
  const h = camera.sensorHeight;
  if (image.length !== w * h) throw new SkyloomTypeError('renderSensorInto image', `a Float32Array of ${w * h} pixels`, `${image.length}`);
  if (mask.length !== w * h) throw new SkyloomTypeError('renderSensorInto mask', `a Uint8Array of ${w * h} pixels`, `${mask.length}`);
  const bandRows = Math.min(h, Math.floor(signal.length / w));
  if (bandRows < 1) throw new SkyloomTypeError('renderSensorInto signal', `a Float64Array of at least one row (${w} values)`, `${signal.length}`);
  const stars = placedStars(id, truth, place);
  const pedestal = truth.background.pedestals[sensor] ?? 0;
  const rng = randomStream(mixSeed(seed, 0x6e6f6973, visit, sensor));
  for (let row0 = 0; row0 < h; row0 += bandRows) {
    const row1 = Math.min(h, row0 + bandRows);
    addBackground(signal, truth, place, w, h, row0, row1, pedestal);
    for (let i = 0; i < stars.u.length; i++) {
      drawGaussianRows(signal, w, row0, row1, stars.u[i] as number, stars.v[i] as number, stars.flux[i] as number, stars.moments[i] as readonly number[]);
    }
    for (let k = row0 * w, j = 0; k < row1 * w; k++, j++) {
      const s = signal[j] as number;
      image[k] = s + Math.sqrt(Math.max(s, 0)) * rng.normal();
    }
  }
  addCosmicRays(image, w, h, camera, rng);
  mask.fill(0);
  addBadColumns(image, mask, w, h, rng);
  applySensorDefects(camera, seed, sensor, image, w, h);
}

/** Rows row0..row1-1 of the background (surface + pedestal), into the band. */
function addBackground(band: Float64Array, t: VisitTruth, place: SensorPlacement, w: number, h: number, row0: number, row1: number, pedestal: number): void {
  for (let v = row0, j = 0; v < row1; v++) {
    const y = (place.cy + v - h / 2) / t.radius;
    for (let u = 0; u < w; u++, j++) band[j] = trueBackgroundSurface(t, (place.cx + u - w / 2) / t.radius, y) + pedestal;
  }
}

/**
 * How many stars of at least `minFlux` have their true position on the sensor: the truth the run
 * report shows next to the sources a run detected there.
 */
export function trueStarsOnSensor(id: SensorId, minFlux: number): number {
  const place = sensorPlacements(id.camera)[id.sensor];
  if (!place) throw new SkyloomTypeError('trueStarsOnSensor sensor', `a sensor of camera ${id.camera.name}`, String(id.sensor));
  const stars = placedStars(id, visitTruth(id.camera, id.seed, id.visit), place);
  const [w, h] = [id.camera.sensorWidth, id.camera.sensorHeight];
  let count = 0;
  for (let i = 0; i < stars.u.length; i++) {
    const [u, v] = [stars.u[i] as number, stars.v[i] as number];
    if ((stars.flux[i] as number) >= minFlux && u >= 0 && u < w && v >= 0 && v < h) count++;
  }
  return count;
}

interface PlacedStars {
  readonly u: Float64Array;
  readonly v: Float64Array;
  readonly flux: Float64Array;
  readonly moments: readonly (readonly number[])[];
}

/** The stars that touch the sensor, at their true pixel positions, with the local PSF moments. */
function placedStars(id: SensorId, t: VisitTruth, place: SensorPlacement): PlacedStars {
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
  const us = new Float64Array(stars.x.length);
  const vs = new Float64Array(stars.x.length);
  const moments: (readonly number[])[] = [];
  for (let i = 0; i < stars.x.length; i++) {
    const [fx, fy] = skyToFocal(t, stars.x[i] as number, stars.y[i] as number);
    // L = R(-rotation)(F - C - offset)
    const ax = fx - place.cx - mount.dx;
    const ay = fy - place.cy - mount.dy;
    const u = cos * ax + sin * ay + w / 2;
    const v = -sin * ax + cos * ay + h / 2;
    us[i] = u;
    vs[i] = v;
    moments.push(truePsfMoments(t, (place.cx + u - w / 2) / t.radius, (place.cy + v - h / 2) / t.radius));
  }
  return { u: us, v: vs, flux: stars.flux, moments };
}

/** Adds a sampled elliptical Gaussian of total flux `flux` centred at (u, v). */
export function drawGaussian(target: Float64Array, w: number, h: number, u: number, v: number, flux: number, moments: readonly number[]): void {
  drawGaussianRows(target, w, 0, h, u, v, flux, moments);
}

/** `drawGaussian` restricted to rows row0..row1-1 of the image, into a band whose first row is row0. */
export function drawGaussianRows(band: Float64Array, w: number, row0: number, row1: number, u: number, v: number, flux: number, [ixx, iyy, ixy]: readonly number[]): void {
  const reach = Math.ceil(5 * Math.sqrt(Math.max(ixx as number, iyy as number)));
  const v0 = Math.max(row0, Math.floor(v) - reach);
  const v1 = Math.min(row1 - 1, Math.ceil(v) + reach);
  if (v0 > v1) return;
  const det = (ixx as number) * (iyy as number) - (ixy as number) ** 2;
  const a = (iyy as number) / det;
  const b = -(ixy as number) / det;
  const c = (ixx as number) / det;
  const norm = flux / (2 * Math.PI * Math.sqrt(det));
  const u0 = Math.max(0, Math.floor(u) - reach);
  const u1 = Math.min(w - 1, Math.ceil(u) + reach);
  for (let py = v0; py <= v1; py++) {
    const dy = py - v;
    for (let px = u0; px <= u1; px++) {
      const dx = px - u;
      const k = (py - row0) * w + px;
      band[k] = (band[k] as number) + norm * Math.exp(-0.5 * (a * dx * dx + 2 * b * dx * dy + c * dy * dy));
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
