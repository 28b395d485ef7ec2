import { describe, expect, it } from 'vitest';
import { detachAll, moveBuffers } from '../../../lib/memory/lease.ts';
import { makeRef } from '../../../lib/ref.ts';

describe('moveBuffers', () => {
  it('leaves the old views empty and rebuilds the value over the same bytes, frozen, structure kept', () => {
    const buffer = new ArrayBuffer(64);
    const whole = new Float32Array(buffer);
    whole.forEach((_, k) => (whole[k] = k));
    const tail = new Uint8Array(buffer, 32, 8);
    const ref = makeRef('r1', 8);
    const shared = { tail };
    const value = { whole, pair: [shared, shared], ref, map: new Map([['k', tail]]) };
    const { value: moved, moved: map } = moveBuffers(value, [buffer]);
    expect(whole.length).toBe(0);
    expect(tail.length).toBe(0);
    expect(whole[3]).toBeUndefined();
    expect(() => whole.map((v) => v)).toThrow(TypeError);
    expect(Array.from(moved.whole)).toEqual(Array.from({ length: 16 }, (_, k) => k));
    expect(moved.pair[0]).toBe(moved.pair[1]);
    expect(moved.pair[0]?.tail.byteOffset).toBe(32);
    expect(moved.pair[0]?.tail.buffer).toBe(map.get(buffer));
    expect(moved.map.get('k')).toBe(moved.pair[0]?.tail);
    expect(moved.ref).toBe(ref);
    expect(Object.isFrozen(moved)).toBe(true);
    expect(Object.isFrozen(moved.pair)).toBe(true);
  });

  it('moves only the buffers it is given and returns the value itself when there are none', () => {
    const mine = new Float64Array(4).fill(1);
    const other = new Float64Array(4).fill(2);
    const value = { mine, other };
    expect(moveBuffers(value, []).value).toBe(value);
    const { value: moved } = moveBuffers(value, [mine.buffer]);
    expect(mine.length).toBe(0);
    expect(moved.other).toBe(other);
    expect(Array.from(moved.mine)).toEqual([1, 1, 1, 1]);
  });
});

describe('detachAll', () => {
  it('gives fresh handles over the same memory and skips buffers already detached', () => {
    const a = new Uint16Array(8).fill(7);
    const [fresh] = detachAll([a.buffer, a.buffer]);
    expect(a.length).toBe(0);
    expect(Array.from(new Uint16Array(fresh as ArrayBuffer))).toEqual(Array(8).fill(7));
    expect(detachAll([a.buffer])).toEqual([]);
  });
});
