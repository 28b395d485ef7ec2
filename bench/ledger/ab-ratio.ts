/**
 * How far apart two sets of timings are, as bench/ledger prints them: the ratio of their medians, with
 * a bootstrap 95% interval (each set resampled with replacement, `rounds` times, seeded: the seed is
 * printed with the figures). The interval says what this many repeats can resolve on this machine: a
 * 1% cost is shown only if the interval's upper end is at most 1.01, and an A/A pair (the same run
 * twice) measures the noise floor the same way.
 *
 * It does not time anything, nor decide which runs are compared.
 */
import { seededRandom } from '../../lib/random.ts';

export interface RatioEstimate {
  /** median(a) / median(b). */
  readonly ratio: number;
  /** 2.5% and 97.5% points of the bootstrapped ratio of medians. */
  readonly low: number;
  readonly high: number;
}

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function ratioOfMedians(a: readonly number[], b: readonly number[], seed: number, rounds = 4000): RatioEstimate {
  return ratioOfQuantiles(a, b, 0.5, seed, rounds);
}

/** The `q` quantile of `xs` (nearest rank below: 0 is the minimum, 0.5 the lower median of an even count). */
export function quantile(xs: readonly number[], q: number): number {
  if (q === 0.5) return median(xs);
  const sorted = [...xs].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * quantile(a, q) / quantile(b, q) with a bootstrap 95% interval. A low quantile (the lower decile)
 * compares the runs least disturbed by the rest of the machine, whose noise only ever adds time.
 */
export function ratioOfQuantiles(a: readonly number[], b: readonly number[], q: number, seed: number, rounds = 4000): RatioEstimate {
  const random = seededRandom(seed, 'bench/ledger bootstrap');
  const resample = (xs: readonly number[]): number[] => xs.map(() => xs[Math.floor(random() * xs.length)] as number);
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) ratios.push(quantile(resample(a), q) / quantile(resample(b), q));
  ratios.sort((x, y) => x - y);
  return { ratio: quantile(a, q) / quantile(b, q), low: ratios[Math.floor(0.025 * rounds)] as number, high: ratios[Math.ceil(0.975 * rounds) - 1] as number };
}

/**
 * The median of per-repeat ratios a[i] / b[i] (runs of one repeat are minutes apart at most, so a
 * change of the machine's load between repeats cancels), with a bootstrap 95% interval over repeats.
 */
export function pairedRatio(a: readonly number[], b: readonly number[], seed: number, rounds = 4000): RatioEstimate {
  const ratios = a.map((x, i) => x / (b[i] as number));
  const random = seededRandom(seed, 'bench/ledger paired bootstrap');
  const medians: number[] = [];
  for (let i = 0; i < rounds; i++) medians.push(median(ratios.map(() => ratios[Math.floor(random() * ratios.length)] as number)));
  medians.sort((x, y) => x - y);
  return { ratio: median(ratios), low: medians[Math.floor(0.025 * rounds)] as number, high: medians[Math.ceil(0.975 * rounds) - 1] as number };
}

/** `1.004 [0.991, 1.017]`. */
export function formatRatio(r: RatioEstimate): string {
  return `${r.ratio.toFixed(4)} [${r.low.toFixed(4)}, ${r.high.toFixed(4)}]`;
}
