/**
 * The A/B figures of the run report's recording for bench/ledger: runs with it (`ledger`) against the
 * same runs without it (`ledger-timeline`), and the A/A pair (`ledger-timeline-again` against
 * `ledger-timeline`), each on every metric measured (process CPU, main-thread CPU, wall), by three
 * estimators with bootstrap 95% intervals: the median of per-repeat ratios (the runs of one repeat
 * follow each other, so load that drifts between repeats cancels), the ratio of medians, and the ratio
 * of lower deciles (the runs least disturbed by the rest of the machine). A verdict on 1% is given
 * only where the A/A interval of the same estimator lies within [0.99, 1.01].
 *
 * It does not run or time anything (bench/ledger.ts does).
 */
import { formatRatio, pairedRatio, ratioOfMedians, ratioOfQuantiles, type RatioEstimate } from './ab-ratio.ts';

/** One metric's runs per mode, in repeat order (index i of each mode is repeat i). */
export interface RecordingRuns {
  readonly on: readonly number[];
  readonly off: readonly number[];
  readonly offAgain?: readonly number[];
}

const estimators: readonly (readonly [string, (a: readonly number[], b: readonly number[], seed: number) => RatioEstimate])[] = [
  ['median per-repeat ratio', pairedRatio],
  ['ratio of medians', ratioOfMedians],
  ['ratio of lower deciles', (a, b, seed) => ratioOfQuantiles(a, b, 0.1, seed)],
];

/** What the cost's interval says about 1%, given the A/A interval of the same estimator. */
export function verdict(cost: RatioEstimate, aa: RatioEstimate | undefined): string {
  if (aa === undefined || aa.low < 0.99 || aa.high > 1.01) return 'the A/A pair says this cannot resolve 1%';
  if (cost.high <= 1.01) return 'at most 1%: target met';
  if (cost.low > 1.01) return 'more than 1%: target missed';
  return 'cannot tell whether within 1%';
}

export function printRecordingAB(metrics: Readonly<Record<string, RecordingRuns>>, seed: number): void {
  console.log(`  the report's recording (steps, collectives, memory samples): ledger / ledger-timeline, and A/A ledger-timeline-again / ledger-timeline [bootstrap 95% intervals, seed ${seed}]:`);
  for (const [metric, runs] of Object.entries(metrics)) {
    for (const [name, estimate] of estimators) {
      const cost = estimate(runs.on, runs.off, seed);
      const aa = runs.offAgain ? estimate(runs.offAgain, runs.off, seed) : undefined;
      console.log(`    ${metric.padEnd(15)} ${name.padEnd(23)} ${formatRatio(cost)}  A/A ${aa ? formatRatio(aa) : '–'}  (${verdict(cost, aa)})`);
    }
  }
}

/** The ratio one of `copies` recorders would give, if their costs add up: 1 + (ratio − 1) / copies, interval likewise. */
export function perCopy(r: RatioEstimate, copies: number): RatioEstimate {
  const one = (x: number): number => 1 + (x - 1) / copies;
  return { ratio: one(r.ratio), low: one(r.low), high: one(r.high) };
}

/** `+0.120% [−0.050%, +0.300%]`. */
function formatCost(r: RatioEstimate): string {
  const pct = (x: number): string => `${x >= 1 ? '+' : '−'}${Math.abs(100 * (x - 1)).toFixed(3)}%`;
  return `${pct(r.ratio)} [${pct(r.low)}, ${pct(r.high)}]`;
}

/**
 * The amplified A/B (`ledger-copies` against `ledger-timeline`, see `amplified-ledger.ts`): each ratio, and
 * the cost of one recorder it implies, (ratio − 1) / copies, with the A/A pair scaled the same way (the
 * noise floor of one recorder's cost). The verdict: at most 1% when the implied interval's upper end
 * is ≤ +1% and the scaled A/A interval lies within ±1%.
 */
export function printAmplifiedAB(metrics: Readonly<Record<string, RecordingRuns>>, copies: number, seed: number): void {
  console.log(`  amplified: ${copies} recorders at once (ledger-copies) / ledger-timeline; the cost of one recorder is (ratio − 1) / ${copies}; A/A scaled the same way [bootstrap 95% intervals, seed ${seed}]:`);
  for (const [metric, runs] of Object.entries(metrics)) {
    for (const [name, estimate] of estimators) {
      const cost = estimate(runs.on, runs.off, seed);
      const aa = runs.offAgain ? estimate(runs.offAgain, runs.off, seed) : undefined;
      const [one, oneAA] = [perCopy(cost, copies), aa && perCopy(aa, copies)];
      console.log(`    ${metric.padEnd(15)} ${name.padEnd(23)} ${formatRatio(cost)}: one recorder ${formatCost(one)}  A/A ${oneAA ? formatCost(oneAA) : '–'}  (${verdict(one, oneAA)})`);
    }
  }
}
