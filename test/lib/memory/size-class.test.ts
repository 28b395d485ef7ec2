import { describe, expect, it } from 'vitest';
import { sizeClass } from '../../../lib/memory/size-class.ts';

describe('sizeClass', () => {
  it('keeps small sizes and powers of two exact, and rounds the rest up by at most 25%', () => {
    expect(sizeClass(1000)).toBe(1000);
    expect(sizeClass(4 * 2 ** 20)).toBe(4 * 2 ** 20);
    expect(sizeClass(1_200_000)).toBe(1.25 * 2 ** 20);
    const lsstImage = 4096 * 4004 * 4;
    expect(sizeClass(lsstImage)).toBe(64 * 2 ** 20);
    for (const bytes of [70_000, 123_457, 3_000_001, 99_999_999]) {
      expect(sizeClass(bytes)).toBeGreaterThanOrEqual(bytes);
      expect(sizeClass(bytes)).toBeLessThanOrEqual(1.25 * bytes);
    }
  });
});
