import { describe, expect, it } from 'vitest';
import { quantile, ratioOfQuantiles } from '../../../bench/ledger/ab-ratio.ts';
import { perCopy, verdict } from '../../../bench/ledger/recording-ab.ts';

describe('the recording A/B figures', () => {
  it('takes quantiles by nearest rank below, the median as the median', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile(xs, 0.1)).toBe(2);
    expect(quantile(xs, 0.5)).toBe(5.5);
    expect(quantile(xs, 1)).toBe(10);
  });

  it('gives the ratio of lower deciles with a bootstrap interval around it', () => {
    const base = Array.from({ length: 50 }, (_, i) => 100 + (i % 7));
    const slower = base.map((x) => x * 1.05);
    const r = ratioOfQuantiles(slower, base, 0.1, 1);
    expect(r.ratio).toBeCloseTo(1.05, 10);
    expect(r.low).toBeLessThanOrEqual(r.ratio);
    expect(r.high).toBeGreaterThanOrEqual(r.ratio);
  });

  it('scales an amplified ratio to one of its copies: 10 recorders costing 6.5% are 0.65% each', () => {
    const one = perCopy({ ratio: 1.065, low: 1.045, high: 1.08 }, 10);
    expect(one.ratio).toBeCloseTo(1.0065, 12);
    expect(one.low).toBeCloseTo(1.0045, 12);
    expect(one.high).toBeCloseTo(1.008, 12);
  });

  it('gives a verdict on 1% only where the A/A interval lies within ±1%', () => {
    const aaTight = { ratio: 1, low: 0.995, high: 1.005 };
    expect(verdict({ ratio: 1.003, low: 0.998, high: 1.009 }, aaTight)).toMatch(/target met/);
    expect(verdict({ ratio: 1.03, low: 1.02, high: 1.04 }, aaTight)).toMatch(/target missed/);
    expect(verdict({ ratio: 1.008, low: 1.0, high: 1.02 }, aaTight)).toMatch(/cannot tell/);
    expect(verdict({ ratio: 1.003, low: 0.998, high: 1.009 }, { ratio: 1, low: 0.98, high: 1.02 })).toMatch(/cannot resolve/);
    expect(verdict({ ratio: 1.003, low: 0.998, high: 1.009 }, undefined)).toMatch(/cannot resolve/);
  });
});
