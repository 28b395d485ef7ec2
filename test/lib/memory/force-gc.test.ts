import { describe, expect, it } from 'vitest';
import { forceGc } from '../../../lib/memory/force-gc.ts';

describe('forceGc', () => {
  it('frees dead ArrayBuffers before it returns, round after round (no sweeping left to a background thread)', () => {
    const gc = forceGc();
    expect(gc).toBeTypeOf('function');
    const MiB = 2 ** 20;
    const freed: number[] = [];
    for (let round = 0; round < 8; round++) {
      let kept: Float64Array[] | undefined = Array.from({ length: 4 }, () => new Float64Array(2 * MiB)); // 4 × 16 MiB
      gc?.();
      gc?.(); // promoted: only a full collection finds them dead
      const before = process.memoryUsage().arrayBuffers;
      expect(kept.length).toBe(4);
      kept = undefined;
      gc?.();
      freed.push((before - process.memoryUsage().arrayBuffers) / MiB);
    }
    // At least three of the four (V8 may keep the last one alive a little longer through a handle).
    expect(freed.every((mib) => mib >= 47)).toBe(true);
  });
});
