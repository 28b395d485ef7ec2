import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../lib/memory/memory-store.ts';

const a = { path: 'root/s:0' };
const b = { path: 'root/s:1' };

describe('MemoryStore take', () => {
  it('gives a transfer ref back to the unit that put it: same pixels, ref gone, bytes uncounted, and it can be put again', () => {
    const store = new MemoryStore({ verify: true });
    const pixels = new Float32Array([1, 2, 3]);
    const ref = store.put(pixels, a, { transfer: true });
    expect(store.endStep(a)).toBeUndefined();
    const taken = store.take(ref, a) as Float32Array;
    expect(taken).toBe(pixels);
    expect(store.bytes).toBe(0);
    taken[0] = 10; // the unit's own now: no pristine violation at its pause
    const next = store.put(taken, a, { transfer: true });
    expect(store.endStep(a)).toBeUndefined();
    expect([...(store.get(next, b) as Float32Array)]).toEqual([10, 2, 3]);
    expect(() => store.get(ref, b)).toThrow(expect.objectContaining({ code: 'SKY_UNKNOWN_REF', ref: ref.$ref, message: expect.stringMatching(/was taken by unit root\/s:0/) }));
  });

  it('refuses to take a ref put without transfer, one another step borrows, or one whose handle left the unit', () => {
    const store = new MemoryStore({ verify: false });
    const plain = store.put(new Float32Array(2), a);
    expect(() => store.take(plain, a)).toThrow(expect.objectContaining({ code: 'SKY_TRANSFER', ref: plain.$ref, unitPath: a.path }));
    const lent = store.put(new Float32Array(2), a, { transfer: true });
    store.endStep(a);
    store.get(lent, b); // b's step borrows it
    expect(() => store.take(lent, a)).toThrow(expect.objectContaining({ code: 'SKY_TRANSFER', message: expect.stringMatching(/another running step borrows/) }));
    store.endStep(b);
    expect(() => store.take(lent, a)).not.toThrow();
    const gathered = store.put(new Float32Array(2), a, { transfer: true });
    store.endStep(a, { summary: 1, keep: gathered }); // the handle leaves with the pause
    expect(() => store.take(gathered, a)).toThrow(expect.objectContaining({ message: expect.stringMatching(/handle left the unit/) }));
  });

  it('keeps a transfer value whose arrays leave the unit at a pause as an ordinary one', () => {
    const store = new MemoryStore({ verify: false });
    const pixels = new Float32Array(2);
    const ref = store.put(pixels, a, { transfer: true });
    store.endStep(a, [pixels]); // e.g. the unit gathered or returned the arrays themselves
    expect(() => store.take(ref, a)).toThrow(expect.objectContaining({ code: 'SKY_TRANSFER', message: expect.stringMatching(/has been shared/) }));
    expect(store.get(ref, a)).toBe(pixels);
  });
});
