import { describe, expect, it } from 'vitest';
import { buffersOf, isDetached, transferProblem } from '../../../lib/memory/hand-over.ts';

describe('hand-over', () => {
  it('lists the distinct ArrayBuffers of a value, views sharing one counted once, SharedArrayBuffers left out', () => {
    const shared = new ArrayBuffer(16);
    const value = { a: new Float32Array(shared), b: new Uint8Array(shared, 4, 4), c: [new ArrayBuffer(8)], d: new Int32Array(new SharedArrayBuffer(8)) };
    expect(buffersOf(value)).toEqual([shared, value.c[0]]);
  });

  it('tells a detached buffer from an empty one', () => {
    const gone = new ArrayBuffer(8);
    structuredClone(gone, { transfer: [gone] });
    expect(isDetached(gone)).toBe(true);
    expect(isDetached(new ArrayBuffer(0))).toBe(false);
    expect(buffersOf({ gone })).toEqual([gone]); // detached ones are still listed
  });

  it('accepts plain data and names what is not', () => {
    expect(transferProblem({ a: [1, new Float64Array(2)], m: new Map([[1, new Uint8Array(1)]]) })).toBeUndefined();
    expect(transferProblem({ f: () => 1 })).toEqual({ expected: expect.stringMatching(/plain data/), got: 'a function at value.f' });
    expect(transferProblem({ s: new Uint8Array(new SharedArrayBuffer(4)) })?.got).toMatch(/SharedArrayBuffer at value\.s/);
  });
});
