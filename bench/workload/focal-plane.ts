/**
 * The focal-plane workload of the benchmarks: N sensors, each a W×H Float32Array image; R rounds of
 * per-sensor O(pixels) work, a gather of a small summary, and a central fit whose result every sensor
 * applies. `cpuPasses` > 1 repeats the summary's arithmetic on each pixel to make the workload
 * CPU-bound rather than memory-bound. Outputs carry a SHA-1 of each final image, so runs can be compared bit for bit.
 */
import { createHash } from 'node:crypto';
import { algorithm, gather, get, put, scatter, take } from '../../lib/index.ts';

export interface FocalPlaneParams {
  readonly sensors: number;
  readonly width: number;
  readonly height: number;
  readonly rounds: number;
  /** Repeats of the per-pixel summary arithmetic (1 = memory-bound). */
  readonly cpuPasses: number;
}

export interface SensorJob extends Omit<FocalPlaneParams, 'sensors'> {
  readonly index: number;
}

export interface Summary {
  readonly sum: number;
  readonly sumSq: number;
  readonly n: number;
}

export interface Correction {
  readonly offset: number;
  readonly gain: number;
}

export const focalPlaneDefaults: FocalPlaneParams = { sensors: 32, width: 2048, height: 2048, rounds: 8, cpuPasses: 1 };

/** A deterministic synthetic image: a gradient, a per-sensor offset and xorshift noise. */
export function makeImage(index: number, width: number, height: number): Float32Array {
  const image = new Float32Array(width * height);
  let s = (index * 2654435761 + 1) >>> 0 || 1;
  for (let y = 0, k = 0; y < height; y++) {
    for (let x = 0; x < width; x++, k++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      image[k] = 100 + 0.01 * x + 0.02 * y + index + ((s >>> 0) / 4294967296 - 0.5);
    }
  }
  return image;
}

/**
 * Sum and sum of squares of the pixels. With `cpuPasses` > 1 each pixel, once loaded, goes through
 * that many rounds of arithmetic in registers (a damped copy of itself added in), so the work grows
 * and the memory traffic does not: CPU-bound. (Repeating whole passes over the image instead would
 * stream it from memory each time, and two threads streaming contend for the memory bus.)
 */
export function summarize(image: Float32Array, cpuPasses: number): Summary {
  let sum = 0;
  let sumSq = 0;
  if (cpuPasses === 1) {
    // The same sums without the inner loop, whose overhead would make the memory-bound case CPU-bound.
    for (let k = 0; k < image.length; k++) {
      const v = image[k] as number;
      sum += v;
      sumSq += v * v;
    }
    return { sum, sumSq, n: image.length };
  }
  for (let k = 0; k < image.length; k++) {
    let v = image[k] as number;
    for (let pass = 0; pass < cpuPasses; pass++) {
      sum += v;
      sumSq += v * v;
      v = v * 0.5 + 0.25;
    }
  }
  return { sum, sumSq, n: image.length * cpuPasses };
}

/** Central fit: one global offset and gain bringing the focal plane to zero mean, unit-ish scale. */
export function fitGlobal(summaries: readonly Summary[]): Correction {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (const s of summaries) {
    sum += s.sum;
    sumSq += s.sumSq;
    n += s.n;
  }
  const mean = sum / n;
  const variance = Math.max(sumSq / n - mean * mean, 1e-12);
  return { offset: -mean, gain: 1 / Math.sqrt(variance) };
}

/** The central correction applied to every pixel of `image`, written into `out` (which may be `image` itself: element by element, in place is the same). */
export function applyCorrectionInto(image: Float32Array, c: Correction, index: number, out: Float32Array): Float32Array {
  const bias = 0.001 * index;
  for (let k = 0; k < image.length; k++) out[k] = ((image[k] as number) + c.offset) * c.gain + bias;
  return out;
}

/** `applyCorrectionInto` over the image itself. */
export function correctInPlace(image: Float32Array, c: Correction, index: number): Float32Array {
  return applyCorrectionInto(image, c, index, image);
}

export function sha1Of(image: Float32Array): string {
  return createHash('sha1').update(new Uint8Array(image.buffer, image.byteOffset, image.byteLength)).digest('hex');
}

export const focalPlaneSensor = algorithm(import.meta.url, async function* focalPlaneSensor(_ctx, job: SensorJob) {
  // `transfer`: each image is made here and handed to the store, which can then reuse its memory once
  // it has spilled it, instead of waiting for a garbage collection to free it.
  let image = yield* put(makeImage(job.index, job.width, job.height), { transfer: true });
  for (let round = 0; round < job.rounds; round++) {
    const summary = summarize(yield* get(image), job.cpuPasses);
    // Get the image again after the gather rather than keep the pixels in a local across the pause:
    // a local would pin every sensor's image in memory, whatever a budgeted store spills.
    const correction = yield* gather(summary, fitGlobal);
    // Take the old version back and correct it in place: the new version needs no new memory. (No
    // named local for the pixels: a suspended generator keeps its locals, so they would stay alive
    // across the next gather; the retention check in verify mode says so.)
    image = yield* put(correctInPlace(yield* take(image), correction, job.index), { transfer: true });
  }
  return { index: job.index, sha1: sha1Of(yield* get(image)) };
});

export const focalPlane = algorithm(import.meta.url, async function* focalPlane(_ctx, p: FocalPlaneParams) {
  const { sensors, ...job } = p;
  return yield* scatter(focalPlaneSensor, Array.from({ length: sensors }, (_, index) => ({ ...job, index })), { label: 'sensor' });
});
