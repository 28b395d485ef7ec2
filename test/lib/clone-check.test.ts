import { describe, expect, it } from 'vitest';
import { findUncloneable } from '../../lib/clone-check.ts';

class Wcs {
  fit(): number {
    return 1;
  }
}

describe('findUncloneable', () => {
  it('finds nothing in plain data, typed arrays, Maps, Sets, Dates and cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const value = { n: 1, s: 'x', big: 2n, arr: [new Float32Array(4), new DataView(new ArrayBuffer(2))], m: new Map([[1, { d: new Date() }]]), set: new Set([1]), cyclic, none: null };
    expect(findUncloneable(value)).toBeUndefined();
  });

  it('names the path to a function', () => {
    expect(findUncloneable({ sensors: [1, 2, 3, { fit: () => 1 }] }, 'input')).toStrictEqual({ path: 'input.sensors[3].fit', what: 'function fit' });
  });

  it('names the path to a class instance, a symbol and a Map value, quoting odd keys', () => {
    expect(findUncloneable({ model: new Wcs() }, 'input')?.what).toMatch(/^instance of Wcs/);
    expect(findUncloneable({ 'odd key': Symbol('s') }, 'v')?.path).toBe('v["odd key"]');
    expect(findUncloneable(new Map([['k', { p: Promise.resolve() }]]), 'm')).toStrictEqual({ path: 'm.get("k").p', what: 'a Promise' });
  });
});
