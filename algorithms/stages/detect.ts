/**
 * Detection and measurement of sources on one background-subtracted sensor image: local maxima above
 * a threshold, measured with adaptive moments; cosmic rays (far sharper than any PSF) and failed
 * measurements are dropped. Also marks detected pixels in the mask so the next background pass leaves
 * them out. The catalog is columns of typed arrays (it goes into a ref).
 */
import { SkyloomTypeError } from '../../lib/index.ts';
import { MaskBit } from '../sky/render-sensor.ts';
import { adaptiveMoments } from './adaptive-moments.ts';

export interface SourceCatalog {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly flux: Float64Array;
  readonly ixx: Float64Array;
  readonly iyy: Float64Array;
  readonly ixy: Float64Array;
  /** 1 when no other source lies within `isolationRadius` pixels. */
  readonly isolated: Uint8Array;
}

const edge = 12;
const isolationRadius = 14;
/** Smallest minor-axis variance (pixels²) a star can have; cosmic rays are sharper. */
const minStarVariance = 0.8;

/** Finds and measures sources brighter than `threshold` (at their peak pixel). */
export function findSources(image: Float32Array, mask: Uint8Array, w: number, h: number, threshold: number): SourceCatalog {
  const found: { x: number; y: number; flux: number; ixx: number; iyy: number; ixy: number }[] = [];
  for (let v = edge; v < h - edge; v++) {
    for (let u = edge; u < w - edge; u++) {
      const k = v * w + u;
      const value = image[k] as number;
      if (value < threshold || ((mask[k] as number) & MaskBit.Bad) !== 0 || !isPeak(image, w, k, value)) continue;
      const m = adaptiveMoments(image, w, h, u, v);
      if (!m.ok || minorVariance(m.ixx, m.iyy, m.ixy) < minStarVariance || Math.hypot(m.x - u, m.y - v) > 2) continue;
      if (touchesBad(mask, w, m.x, m.y)) continue;
      found.push({ x: m.x, y: m.y, flux: m.flux, ixx: m.ixx, iyy: m.iyy, ixy: m.ixy });
    }
  }
  return toCatalog(found);
}

function isPeak(image: Float32Array, w: number, k: number, value: number): boolean {
  for (const d of [-w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1]) {
    const other = image[k + d] as number;
    if (other > value || (other === value && d > 0)) return false;
  }
  return true;
}

function minorVariance(ixx: number, iyy: number, ixy: number): number {
  const mean = (ixx + iyy) / 2;
  return mean - Math.sqrt(((ixx - iyy) / 2) ** 2 + ixy * ixy);
}

function touchesBad(mask: Uint8Array, w: number, x: number, y: number): boolean {
  const u0 = Math.round(x);
  const v0 = Math.round(y);
  for (let v = v0 - 6; v <= v0 + 6; v++) for (let u = u0 - 6; u <= u0 + 6; u++) if (((mask[v * w + u] as number) & MaskBit.Bad) !== 0) return true;
  return false;
}

function toCatalog(found: readonly { x: number; y: number; flux: number; ixx: number; iyy: number; ixy: number }[]): SourceCatalog {
  const column = (pick: (s: (typeof found)[number]) => number): Float64Array => Float64Array.from(found, pick);
  const isolated = new Uint8Array(found.length);
  found.forEach((s, i) => {
    isolated[i] = found.every((o, j) => j === i || Math.hypot(o.x - s.x, o.y - s.y) > isolationRadius) ? 1 : 0;
  });
  return { x: column((s) => s.x), y: column((s) => s.y), flux: column((s) => s.flux), ixx: column((s) => s.ixx), iyy: column((s) => s.iyy), ixy: column((s) => s.ixy), isolated };
}

/**
 * `mask` with pixels above `threshold` and discs around every source flagged as detected (discs reach
 * where the source's profile falls to a fraction of the noise), written into `out`: `mask` itself to
 * update it in place (each pixel's new value depends only on its old one), or another array.
 */
export function maskDetectionsInto(image: Float32Array, mask: Uint8Array, w: number, h: number, catalog: SourceCatalog, threshold: number, noise: number, out: Uint8Array): void {
  if (image.length !== w * h || mask.length !== w * h || out.length !== w * h) {
    throw new SkyloomTypeError('maskDetectionsInto image, mask, out', `${w * h} pixels each`, `${image.length}, ${mask.length}, ${out.length}`);
  }
  for (let k = 0; k < mask.length; k++) out[k] = ((mask[k] as number) & ~MaskBit.Detected) | ((image[k] as number) > threshold ? MaskBit.Detected : 0);
  for (let i = 0; i < catalog.x.length; i++) {
    const size2 = ((catalog.ixx[i] as number) + (catalog.iyy[i] as number)) / 2;
    const peak = (catalog.flux[i] as number) / (2 * Math.PI * size2);
    const radius = Math.ceil(Math.sqrt(2 * size2 * Math.log(Math.max(peak / (0.2 * noise), 1))) + 2);
    const x = catalog.x[i] as number;
    const y = catalog.y[i] as number;
    for (let v = Math.max(0, Math.floor(y - radius)); v <= Math.min(h - 1, Math.ceil(y + radius)); v++) {
      for (let u = Math.max(0, Math.floor(x - radius)); u <= Math.min(w - 1, Math.ceil(x + radius)); u++) {
        if ((u - x) ** 2 + (v - y) ** 2 <= radius * radius) out[v * w + u] = (out[v * w + u] as number) | MaskBit.Detected;
      }
    }
  }
}
