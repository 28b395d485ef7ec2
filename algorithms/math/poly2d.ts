/**
 * Two-dimensional polynomials in normalised coordinates: the monomials x^i y^j with i + j <= degree,
 * in a fixed order (by total degree, then by power of y). Coefficients are plain number arrays so they
 * can cross a pause. Does not normalise coordinates: callers pass x, y already scaled to about [-1, 1].
 */

/** How many monomials a polynomial of this degree has. */
export function termCount(degree: number): number {
  return ((degree + 1) * (degree + 2)) / 2;
}

/** Writes the monomials of (x, y) into `out` from `offset`. Never throws. */
export function writeMonomials(x: number, y: number, degree: number, out: Float64Array | number[], offset = 0): void {
  let k = offset;
  for (let d = 0; d <= degree; d++) {
    for (let j = 0; j <= d; j++) out[k++] = x ** (d - j) * y ** j;
  }
}

/** The polynomial with these coefficients at (x, y). */
export function evalPoly(coeffs: readonly number[], degree: number, x: number, y: number): number {
  let sum = 0;
  let k = 0;
  for (let d = 0; d <= degree; d++) {
    for (let j = 0; j <= d; j++) sum += (coeffs[k++] ?? 0) * x ** (d - j) * y ** j;
  }
  return sum;
}
