import { describe, expect, it } from 'vitest';
import { findUncloneable } from '../../lib/clone-check.ts';
import { isFlatRecord } from '../../lib/flat-record.ts';
import { deepFreeze } from '../../lib/freeze.ts';

describe('isFlatRecord', () => {
  it('accepts a plain record of numbers, strings, booleans and nulls', () => {
    expect(isFlatRecord({ sum: 1, label: 'a', ok: true, none: null, gone: undefined, big: 1n })).toBe(true);
  });

  it('refuses nested objects, functions, symbols, arrays and class instances, also under symbol or non-enumerable keys', () => {
    expect(isFlatRecord({ inner: { a: 1 } })).toBe(false);
    expect(isFlatRecord({ fn: () => 1 })).toBe(false);
    expect(isFlatRecord({ s: Symbol('x') })).toBe(false);
    expect(isFlatRecord([1, 2, 3])).toBe(false);
    expect(isFlatRecord(new (class Point { x = 1 })())).toBe(false);
    expect(isFlatRecord({ [Symbol('hidden')]: { a: 1 } })).toBe(false);
    expect(isFlatRecord(Object.defineProperty({}, 'hidden', { value: [1], enumerable: false }))).toBe(false);
  });
});

describe('deepFreeze and findUncloneable on records', () => {
  it('freezes a flat record, and still freezes an object under a record\'s symbol or non-enumerable key', () => {
    expect(Object.isFrozen(deepFreeze({ sum: 1, n: 2 }))).toBe(true);
    const inner = { a: 1 };
    const hidden = Symbol('hidden');
    deepFreeze({ n: 1, [hidden]: inner });
    expect(Object.isFrozen(inner)).toBe(true);
    const list = [1];
    deepFreeze(Object.defineProperty({ n: 1 }, 'hidden', { value: list, enumerable: false }));
    expect(Object.isFrozen(list)).toBe(true);
  });

  it('finds nothing in a flat record and still names a function in a record', () => {
    expect(findUncloneable({ sum: 1, n: 2 }, 'summary')).toBeUndefined();
    expect(findUncloneable({ sum: 1, fit: function fit() {} }, 'summary')).toEqual({ path: 'summary.fit', what: 'function fit' });
  });
});
