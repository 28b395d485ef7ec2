import { describe, expect, it } from 'vitest';
import { ProcessGrowth } from '../../../lib/memory/process-growth.ts';

describe('ProcessGrowth', () => {
  it('reports what RSS gained since it was made, reading it again only after everyMs', () => {
    let rss = 100;
    let now = 0;
    let reads = 0;
    const growth = new ProcessGrowth(10, () => (reads++, rss), () => now);
    expect([growth.bytes(), reads]).toEqual([0, 1]);
    rss = 130;
    now = 9;
    expect([growth.bytes(), reads]).toEqual([0, 1]); // the reading of 9 ms ago stands
    now = 10;
    expect([growth.bytes(), reads]).toEqual([30, 2]);
    rss = 80;
    now = 25;
    expect(growth.bytes()).toBe(-20);
  });

  it('reads the real process by default: a fresh sampler has grown by almost nothing', () => {
    const growth = new ProcessGrowth();
    expect(Math.abs(growth.bytes())).toBeLessThan(64 * 1024 * 1024);
    expect(Number.isInteger(growth.bytes())).toBe(true);
  });
});
