import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../lib/random.ts';

describe('seededRandom', () => {
  it('draws the same numbers for the same seed and path, in [0, 1)', () => {
    const a = seededRandom(7, 'root/s:1');
    const b = seededRandom(7, 'root/s:1');
    const xs = Array.from({ length: 100 }, () => a());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws different numbers for another path or another seed', () => {
    const first = seededRandom(7, 'root/s:1')();
    expect(seededRandom(7, 'root/s:2')()).not.toBe(first);
    expect(seededRandom(8, 'root/s:1')()).not.toBe(first);
  });

  it('is roughly uniform', () => {
    const r = seededRandom(1, 'root');
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += r();
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
  });
});
