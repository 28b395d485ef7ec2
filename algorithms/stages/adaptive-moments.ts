/**
 * Adaptive (elliptical-Gaussian-weighted) moments of one source: centroid and second moments. For a
 * Gaussian source the weight converges to the source's own shape, and the centroid and moments are
 * unbiased; for a cosmic ray the moments come out far smaller than any PSF. Pure arithmetic on a
 * background-subtracted image; never throws (non-convergence is reported as `ok: false`).
 */

export interface Moments {
  readonly ok: boolean;
  readonly x: number;
  readonly y: number;
  readonly ixx: number;
  readonly iyy: number;
  readonly ixy: number;
  /** Total flux of a Gaussian with these moments (twice the weighted sum at convergence). */
  readonly flux: number;
}

const failed: Moments = { ok: false, x: 0, y: 0, ixx: 0, iyy: 0, ixy: 0, flux: 0 };

export function adaptiveMoments(image: Float32Array, w: number, h: number, x0: number, y0: number, maxIterations = 40): Moments {
  let x = x0;
  let y = y0;
  let wxx = 4;
  let wyy = 4;
  let wxy = 0;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const det = wxx * wyy - wxy * wxy;
    if (!(det > 1e-6) || wxx > 100 || wyy > 100) return failed;
    const a = wyy / det;
    const b = -wxy / det;
    const c = wxx / det;
    const reach = Math.min(20, Math.ceil(4 * Math.sqrt(Math.max(wxx, wyy))));
    const u0 = Math.floor(x) - reach;
    const v0 = Math.floor(y) - reach;
    if (u0 < 0 || v0 < 0 || u0 + 2 * reach + 1 >= w || v0 + 2 * reach + 1 >= h) return failed;
    let s0 = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let py = v0; py <= v0 + 2 * reach + 1; py++) {
      const dy = py - y;
      for (let px = u0; px <= u0 + 2 * reach + 1; px++) {
        const dx = px - x;
        const weight = Math.exp(-0.5 * (a * dx * dx + 2 * b * dx * dy + c * dy * dy)) * (image[py * w + px] as number);
        s0 += weight;
        sx += weight * dx;
        sy += weight * dy;
        sxx += weight * dx * dx;
        syy += weight * dy * dy;
        sxy += weight * dx * dy;
      }
    }
    if (!(s0 > 0)) return failed;
    const ddx = sx / s0;
    const ddy = sy / s0;
    const mxx = sxx / s0 - ddx * ddx;
    const myy = syy / s0 - ddy * ddy;
    const mxy = sxy / s0 - ddx * ddy;
    // For a Gaussian source, the weighted centroid moves halfway and the weighted moments are half the
    // source's at convergence: step by twice, and set the next weight to twice the moments.
    x += 2 * ddx;
    y += 2 * ddy;
    const change = Math.abs(2 * mxx - wxx) + Math.abs(2 * myy - wyy) + Math.abs(2 * mxy - wxy) + Math.abs(ddx) + Math.abs(ddy);
    wxx = 2 * mxx;
    wyy = 2 * myy;
    wxy = 2 * mxy;
    if (change < 1e-6) {
      return { ok: wxx > 0 && wyy > 0, x, y, ixx: wxx, iyy: wyy, ixy: wxy, flux: 2 * s0 };
    }
  }
  return failed;
}
