import { describe, expect, it } from 'vitest';
import { algorithm, gather, get, put, scatter, take } from '../../lib/index.ts';

const child = algorithm(import.meta.url, async function* child() {});

function firstYield<T>(gen: Generator<T>): T {
  return gen.next().value as T;
}

describe('primitives', () => {
  it('are plain data with a kind tag', () => {
    expect(firstYield(put(1))).toEqual({ kind: 'put', value: 1 });
    expect(firstYield(get({ $ref: 'r1', bytes: 8 }))).toEqual({ kind: 'get', ref: { $ref: 'r1', bytes: 8 } });
    expect(firstYield(put(1, { transfer: true }))).toEqual({ kind: 'put', value: 1, transfer: true });
    expect(firstYield(take({ $ref: 'r1', bytes: 8 }))).toEqual({ kind: 'get', ref: { $ref: 'r1', bytes: 8 }, take: true });
    expect(firstYield(scatter(child, [1, 2]))).toMatchObject({ kind: 'scatter', inputs: [1, 2], label: 'child' });
    expect(firstYield(gather(1, (v) => v, { perMember: true }))).toMatchObject({ kind: 'gather', value: 1, perMember: true });
  });

  it('resume with the reply as their typed result', () => {
    const gen = put('x');
    gen.next();
    expect(gen.next({ $ref: 'r9', bytes: 1 })).toEqual({ done: true, value: { $ref: 'r9', bytes: 1 } });
  });

  it('scatter rejects a non-algorithm child, a non-array of inputs and a bad label', () => {
    expect(() => firstYield(scatter((() => {}) as never, []))).toThrow(/scatter\(child, inputs\): expected an algorithm made by algorithm\(\), got function/);
    expect(() => firstYield(scatter(child, 3 as never))).toThrow(/expected an array of inputs, got number 3/);
    expect(() => firstYield(scatter(child, [], { label: 'a/b' }))).toThrow(/label: expected a word/);
  });

  it('gather rejects a central that is not a function and a non-boolean perMember', () => {
    expect(() => firstYield(gather(1, 'fit' as never))).toThrow(/expected a central function, got string "fit"/);
    expect(() => firstYield(gather(1, (v) => v, { perMember: 1 as never }))).toThrow(/perMember: expected a boolean/);
  });

  it('get rejects something that is not a ref with SKY_INVALID_ARGUMENT', () => {
    try {
      firstYield(get({ id: 'r1' } as never));
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'SKY_INVALID_ARGUMENT', expected: 'a Ref returned by put()', got: 'plain object' });
    }
  });
});
