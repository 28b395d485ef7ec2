/**
 * Focal-plane background, per-sensor side and central fit. A sensor reduces its image to binned,
 * source-masked, sigma-clipped means (a few hundred numbers); the central step fits one smooth
 * polynomial surface over the whole focal plane plus one pedestal per sensor, and hands each sensor
 * its own part (`perMember`). Iterating with re-masking is the caller's loop (see `sensor-stages.ts`).
 */
import { SkyloomTypeError } from '../../lib/index.ts';
import { NormalEquations } from '../math/normal-equations.ts';
import { evalPoly, termCount, writeMonomials } from '../math/poly2d.ts';
import { MaskBit } from '../sky/render-sensor.ts';
import { focalX, focalY, type SensorFrame } from './sensor-frame.ts';

export const backgroundDegree = 3;

/** One sensor's binned background statistics; gathered. */
export interface BackgroundBins {
  /** Normalised focal-plane positions of the bin centres. */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly value: Float64Array;
  /** Clipped standard deviation of the pixels in the bin (the pixel noise). */
  readonly spread: Float64Array;
}

/** One sensor's part of the fitted background; the result of the central step. */
export interface BackgroundModel {
  readonly degree: number;
  readonly coeffs: readonly number[];
  readonly pedestal: number;
  /** RMS of the bins about the fit, over the focal plane. */
  readonly rms: number;
}

/** Bins of `binSize`² pixels; a bin keeps the clipped mean of its pixels flagged neither bad nor detected. */
export function binBackground(frame: SensorFrame, image: Float32Array, mask: Uint8Array, binSize: number): BackgroundBins {
  const { width: w, height: h } = frame;
  const nx = Math.floor(w / binSize);
  const ny = Math.floor(h / binSize);
  const xs: number[] = [];
  const ys: number[] = [];
  const values: number[] = [];
  const spreads: number[] = [];
  const pixels = new Float64Array(binSize * binSize);
  for (let by = 0; by < ny; by++) {
    for (let bx = 0; bx < nx; bx++) {
      let n = 0;
      for (let v = by * binSize; v < (by + 1) * binSize; v++) {
        for (let u = bx * binSize; u < (bx + 1) * binSize; u++) {
          if (((mask[v * w + u] as number) & (MaskBit.Bad | MaskBit.Detected)) === 0) pixels[n++] = image[v * w + u] as number;
        }
      }
      if (n < (binSize * binSize) / 4) continue;
      const [mean, spread] = clippedMean(pixels, n);
      xs.push(focalX(frame, (bx + 0.5) * binSize) / frame.radius);
      ys.push(focalY(frame, (by + 0.5) * binSize) / frame.radius);
      values.push(mean);
      spreads.push(spread);
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), value: Float64Array.from(values), spread: Float64Array.from(spreads) };
}

/** Mean and standard deviation of the first `n` values after 3σ clipping (5 passes). */
export function clippedMean(values: Float64Array, n: number): [number, number] {
  let lo = -Infinity;
  let hi = Infinity;
  let mean = 0;
  let sd = 0;
  for (let pass = 0; pass < 5; pass++) {
    let s = 0;
    let q = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const x = values[i] as number;
      if (x < lo || x > hi) continue;
      s += x;
      q += x * x;
      m++;
    }
    if (m === 0) break;
    mean = s / m;
    sd = Math.sqrt(Math.max(q / m - mean * mean, 0));
    lo = mean - 3 * sd;
    hi = mean + 3 * sd;
  }
  return [mean, sd];
}

/** Central step: one surface plus a pedestal per sensor, with one 4σ rejection pass over bins. */
export function fitBackground(allBins: readonly BackgroundBins[]): BackgroundModel[] {
  const terms = termCount(backgroundDegree);
  let reject = Infinity;
  let solution: Float64Array = new Float64Array(terms + allBins.length);
  let rms = 0;
  for (let pass = 0; pass < 2; pass++) {
    const equations = new NormalEquations(terms + allBins.length);
    const row = new Float64Array(terms + 1);
    const columns = [...Array.from({ length: terms }, (_, i) => i), 0];
    allBins.forEach((bins, s) => {
      columns[terms] = terms + s;
      for (let i = 0; i < bins.value.length; i++) {
        writeMonomials(bins.x[i] as number, bins.y[i] as number, backgroundDegree, row);
        row[terms] = 1;
        const residual = (bins.value[i] as number) - predict(solution, terms, s, bins.x[i] as number, bins.y[i] as number);
        if (Math.abs(residual) > reject) continue;
        equations.addRow(columns, Array.from(row), bins.value[i] as number);
      }
    });
    // The surface's constant and the pedestals are degenerate; a tiny ridge on the pedestals picks one split.
    solution = equations.solve(1e-6, allBins.map((_, s) => terms + s));
    rms = residualRms(allBins, solution, terms);
    reject = 4 * rms;
  }
  const coeffs = Array.from(solution.subarray(0, terms));
  return allBins.map((_, s) => ({ degree: backgroundDegree, coeffs, pedestal: solution[terms + s] as number, rms }));
}

function predict(solution: Float64Array, terms: number, sensor: number, x: number, y: number): number {
  if (solution.every((c) => c === 0)) return 0;
  return evalPoly(Array.from(solution.subarray(0, terms)), backgroundDegree, x, y) + (solution[terms + sensor] as number);
}

function residualRms(allBins: readonly BackgroundBins[], solution: Float64Array, terms: number): number {
  let sum = 0;
  let n = 0;
  allBins.forEach((bins, s) => {
    for (let i = 0; i < bins.value.length; i++) {
      sum += ((bins.value[i] as number) - predict(solution, terms, s, bins.x[i] as number, bins.y[i] as number)) ** 2;
      n++;
    }
  });
  return n ? Math.sqrt(sum / n) : 0;
}

/** The model's value at pixel (u, v) of the sensor. */
export function backgroundAt(frame: SensorFrame, model: BackgroundModel, u: number, v: number): number {
  return evalPoly(model.coeffs, model.degree, focalX(frame, u) / frame.radius, focalY(frame, v) / frame.radius) + model.pedestal;
}

/**
 * image - model, into `out` (width × height; may be `image` itself, for an in-place subtraction). The
 * model is smooth: evaluated on a coarse grid and interpolated.
 */
export function subtractBackgroundInto(frame: SensorFrame, image: Float32Array, model: BackgroundModel, out: Float32Array): void {
  const { width: w, height: h } = frame;
  checkPlane('subtractBackgroundInto', image, out, w * h);
  const step = 16;
  const gx = Math.ceil(w / step) + 1;
  const gy = Math.ceil(h / step) + 1;
  const grid = new Float64Array(gx * gy);
  for (let j = 0; j < gy; j++) for (let i = 0; i < gx; i++) grid[j * gx + i] = backgroundAt(frame, model, i * step, j * step);
  for (let v = 0; v < h; v++) {
    const j = Math.floor(v / step);
    const fy = v / step - j;
    for (let u = 0; u < w; u++) {
      const i = Math.floor(u / step);
      const fx = u / step - i;
      const b =
        (1 - fy) * ((1 - fx) * (grid[j * gx + i] as number) + fx * (grid[j * gx + i + 1] as number)) +
        fy * ((1 - fx) * (grid[(j + 1) * gx + i] as number) + fx * (grid[(j + 1) * gx + i + 1] as number));
      out[v * w + u] = (image[v * w + u] as number) - b;
    }
  }
}

/**
 * image minus the clipped mean of every fifth pixel with a clear mask, into `out` (may be `image`).
 * `sample` is working memory for at least ⌈pixels / 5⌉ values. Before any model exists, this is the
 * residual detection runs on.
 */
export function subtractConstantInto(image: Float32Array, mask: Uint8Array, out: Float32Array, sample: Float64Array): void {
  checkPlane('subtractConstantInto', image, out, mask.length);
  const needed = Math.ceil(image.length / 5);
  if (sample.length < needed) throw new SkyloomTypeError('subtractConstantInto sample', `a Float64Array of at least ${needed} values`, `${sample.length}`);
  let n = 0;
  for (let k = 0; k < image.length; k += 5) if (mask[k] === 0) sample[n++] = image[k] as number;
  const [level] = clippedMean(sample, n);
  for (let k = 0; k < image.length; k++) out[k] = (image[k] as number) - level;
}

function checkPlane(what: string, image: Float32Array, out: Float32Array, pixels: number): void {
  if (image.length !== pixels) throw new SkyloomTypeError(`${what} image`, `a Float32Array of ${pixels} pixels`, `${image.length}`);
  if (out.length !== pixels) throw new SkyloomTypeError(`${what} out`, `a Float32Array of ${pixels} pixels`, `${out.length}`);
}
