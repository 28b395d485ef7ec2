import { describe, expect, it } from 'vitest';
import { algorithm, gather, put, run, scatter, scratch } from '../../lib/index.ts';
import { inlineRunner, laptopRunner } from '../../runners/index.ts';

function firstYield<T>(gen: Generator<T>): T {
  return gen.next().value as T;
}

const sumOfScratch = algorithm(import.meta.url, async function* sumOfScratch(_ctx, n: number) {
  const a = yield* scratch(Float64Array, n);
  let zeros = 0;
  for (let k = 0; k < a.length; k++) if (a[k] === 0) zeros++;
  a.fill(2);
  const ref = yield* put(a);
  return { zeros, isFloat64: a instanceof Float64Array, ref: ref.bytes };
});

describe('scratch(type, length)', () => {
  it('is plain data naming the type, so it can cross a thread', () => {
    expect(firstYield(scratch(Float32Array, 8))).toEqual({ kind: 'scratch', type: 'Float32Array', length: 8 });
  });

  it('rejects a type that is not a typed-array constructor and a length that is not a whole number', () => {
    expect(() => firstYield(scratch(Array as never, 3))).toThrow(/scratch\(type, length\) type: expected one of Float64Array, .*got function/);
    expect(() => firstYield(scratch(Float32Array, -1))).toThrow(/length: expected a whole number of elements, 0 or more, got number -1/);
    expect(() => firstYield(scratch(Float32Array, 1.5))).toThrow(/SKY_INVALID_ARGUMENT|expected a whole number/);
  });

  it.each([
    ['inline', () => inlineRunner()],
    ['laptop', () => laptopRunner({ memoryBudget: '1MB' })],
  ])('hands out a zero-filled array of the type asked for and counts it in the step (%s)', async (_name, runner) => {
    const { output, stats } = await run(sumOfScratch, 1000, { runner: runner() });
    expect(output).toEqual({ zeros: 1000, isFloat64: true, ref: 8000 });
    expect(stats.primitives.scratch).toBe(1);
    // The scratch array and the value put from it (the same memory, counted as the step has it in hand).
    expect(stats.peakStepBytes).toBeGreaterThanOrEqual(8000);
  });

  it('gives a unit a fresh zero-filled array in every step, whatever an earlier step wrote', async () => {
    const twice = algorithm(import.meta.url, async function* twice(_ctx, n: number) {
      const first = yield* scratch(Uint8Array, n);
      first.fill(7);
      yield* gather(0, () => 0);
      const second = yield* scratch(Uint8Array, n);
      return second.every((v) => v === 0);
    });
    const parent = algorithm(import.meta.url, async function* parent() {
      return yield* scatter(twice, [4096, 4096]);
    });
    for (const runner of [inlineRunner(), laptopRunner({ memoryBudget: '64KiB' })]) {
      expect((await run(parent, undefined, { runner })).output).toEqual([true, true]);
    }
  });
});
