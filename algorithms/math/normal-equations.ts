/**
 * Weighted linear least squares by normal equations, accumulated one sparse row at a time and solved
 * by Cholesky. Used by the central fits, whose unknowns are a few global polynomial coefficients plus a
 * few parameters per sensor (so each row touches only a handful of columns).
 *
 * Degenerate directions (e.g. a global constant against the sum of per-sensor offsets) are resolved by
 * a small ridge on the columns the caller names: the fitted *model* is unchanged by the choice.
 * Not for ill-conditioned problems beyond that: there is no pivoting.
 */
export class NormalEquations {
  readonly size: number;
  readonly #ata: Float64Array;
  readonly #atb: Float64Array;
  #rows = 0;

  constructor(size: number) {
    this.size = size;
    this.#ata = new Float64Array(size * size);
    this.#atb = new Float64Array(size);
  }

  get rows(): number {
    return this.#rows;
  }

  /** Adds the observation `sum(values[k] * p[columns[k]]) = target` with weight `weight`. */
  addRow(columns: readonly number[], values: readonly number[], target: number, weight = 1): void {
    const n = this.size;
    for (let a = 0; a < columns.length; a++) {
      const ca = columns[a] as number;
      const va = (values[a] as number) * weight;
      this.#atb[ca] = (this.#atb[ca] as number) + va * target;
      for (let b = 0; b < columns.length; b++) {
        const idx = ca * n + (columns[b] as number);
        this.#ata[idx] = (this.#ata[idx] as number) + va * (values[b] as number);
      }
    }
    this.#rows++;
  }

  /** Solves with `ridge` added to the diagonal of the named columns (all columns when omitted). */
  solve(ridge = 0, ridgeColumns?: readonly number[]): Float64Array {
    const n = this.size;
    const m = Float64Array.from(this.#ata);
    for (const c of ridgeColumns ?? Array.from({ length: n }, (_, i) => i)) m[c * n + c] = (m[c * n + c] as number) + ridge;
    choleskyInPlace(m, n);
    return choleskySolve(m, n, this.#atb);
  }
}

function choleskyInPlace(m: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let diag = m[j * n + j] as number;
    for (let k = 0; k < j; k++) diag -= (m[j * n + k] as number) ** 2;
    // A column nobody observed (e.g. a sensor with no stars) gets a unit pivot: its parameter stays 0.
    const pivot = diag > 1e-12 ? Math.sqrt(diag) : 1;
    m[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let s = m[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (m[i * n + k] as number) * (m[j * n + k] as number);
      m[i * n + j] = diag > 1e-12 ? s / pivot : 0;
    }
  }
}

function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * n + k] as number) * (y[k] as number);
    y[i] = s / (l[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = s / (l[i * n + i] as number);
  }
  return x;
}
