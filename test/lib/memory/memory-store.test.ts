import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../lib/memory/memory-store.ts';

const unit = { path: 'root/s:0' };

describe('MemoryStore', () => {
  it('returns what was put, deep-frozen, and counts its bytes', () => {
    const store = new MemoryStore({ verify: false });
    const ref = store.put({ a: [1, 2], pixels: new Float32Array(4) }, unit);
    const value = store.get(ref, unit) as { a: number[] };
    expect(Object.isFrozen(value) && Object.isFrozen(value.a)).toBe(true);
    expect(ref.bytes).toBeGreaterThanOrEqual(16);
    expect(store.bytes).toBe(ref.bytes);
    expect(store.peakBytes).toBe(ref.bytes);
  });

  it('fails get of a ref it does not hold with SKY_UNKNOWN_REF naming the ref and unit', () => {
    const store = new MemoryStore({ verify: false });
    expect(() => store.get({ $ref: 'x9', bytes: 0 }, unit)).toThrow(expect.objectContaining({ code: 'SKY_UNKNOWN_REF', ref: 'x9', unitPath: 'root/s:0' }));
  });

  it('in verify mode, reports a borrowed buffer changed in place at the end of the step, and poisons the ref', () => {
    const store = new MemoryStore({ verify: true });
    const ref = store.put(new Float32Array([1, 2, 3]), unit);
    const pixels = store.get(ref, unit) as Float32Array;
    pixels[0] = 99;
    const violation = store.endStep(unit);
    expect(violation).toMatchObject({ code: 'SKY_PRISTINE_VIOLATION', unitPath: 'root/s:0', ref: ref.$ref });
    expect(() => store.get(ref, { path: 'root/s:1' })).toThrow(expect.objectContaining({ code: 'SKY_PRISTINE_VIOLATION' }));
  });

  it('in verify mode, blames the putter for a buffer it changes after put, at the end of its step', () => {
    const store = new MemoryStore({ verify: true });
    const pixels = new Float32Array([1, 2, 3]);
    const ref = store.put(pixels, unit);
    pixels[2] = -1;
    expect(store.endStep(unit)).toMatchObject({ code: 'SKY_PRISTINE_VIOLATION', unitPath: 'root/s:0', ref: ref.$ref });
  });

  it('in verify mode, finds nothing wrong with a step that only read', () => {
    const store = new MemoryStore({ verify: true });
    const ref = store.put(new Float32Array([1, 2, 3]), unit);
    store.get(ref, unit);
    expect(store.endStep(unit)).toBeUndefined();
  });

  it('gives refs from different prefixes distinct ids and frees everything on close', () => {
    const a = new MemoryStore({ verify: false, idPrefix: 'h1:' });
    const ref = a.put('x', unit);
    expect(ref.$ref.startsWith('h1:')).toBe(true);
    a.close();
    expect(a.bytes).toBe(0);
    expect(() => a.get(ref, unit)).toThrow(expect.objectContaining({ code: 'SKY_UNKNOWN_REF' }));
  });
});
