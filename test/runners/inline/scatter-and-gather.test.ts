import { describe, expect, it } from 'vitest';
import { algorithm, gather, get, put, run, scatter } from '../../../lib/index.ts';
import { inlineRunner } from '../../../runners/index.ts';

const runner = inlineRunner();

const square = algorithm(import.meta.url, async function* square(_ctx, x: number) {
  return x * x;
});

const pathOf = algorithm(import.meta.url, async function* pathOf(ctx, _x: number) {
  return { path: ctx.path, index: ctx.index, size: ctx.size };
});

describe('inline runner: scatter', () => {
  it('returns the children outputs in input order', async () => {
    const parent = algorithm(import.meta.url, async function* parent(_ctx, xs: number[]) {
      return yield* scatter(square, xs);
    });
    expect((await run(parent, [3, 1, 2], { runner })).output).toEqual([9, 1, 4]);
  });

  it('returns [] for zero inputs without starting any unit', async () => {
    const parent = algorithm(import.meta.url, async function* parent(_ctx, _: null) {
      return yield* scatter(square, []);
    });
    const r = await run(parent, null, { runner });
    expect(r.output).toEqual([]);
    expect(r.stats.units).toBe(1);
  });

  it('gives nested children deterministic paths, index and group size', async () => {
    const visit = algorithm(import.meta.url, async function* visit(_ctx, n: number) {
      return yield* scatter(pathOf, Array.from({ length: n }, (_, i) => i), { label: 'sensor' });
    });
    const visits = algorithm(import.meta.url, async function* visits(_ctx, _: null) {
      return yield* scatter(visit, [2, 3]);
    });
    const r = await run(visits, null, { runner });
    expect(r.output[1]?.[2]).toEqual({ path: 'root/visit:1/sensor:2', index: 2, size: 3 });
    expect(r.stats.units).toBe(1 + 2 + 5);
  });

  it('names a second scatter with the same label apart from the first', async () => {
    const twice = algorithm(import.meta.url, async function* twice(_ctx, _: null) {
      const a = yield* scatter(pathOf, [0]);
      const b = yield* scatter(pathOf, [0]);
      return [a[0]?.path, b[0]?.path];
    });
    expect((await run(twice, null, { runner })).output).toEqual(['root/pathOf:0', 'root/pathOf#2:0']);
  });

  it('deep-freezes scatter inputs and outputs', async () => {
    const mutate = algorithm(import.meta.url, async function* mutate(_ctx, input: { xs: number[] }) {
      let threw = false;
      try {
        input.xs.push(1);
      } catch {
        threw = true;
      }
      return { threw };
    });
    const parent = algorithm(import.meta.url, async function* parent(_ctx, _: null) {
      const out = yield* scatter(mutate, [{ xs: [] as number[] }]);
      return { out, frozen: Object.isFrozen(out) && Object.isFrozen(out[0]) };
    });
    expect((await run(parent, null, { runner })).output).toEqual({ out: [{ threw: true }], frozen: true });
  });
});

describe('inline runner: gather', () => {
  it('hands central the values in member order, runs it once per collective and resumes all with its result', async () => {
    const calls: number[][] = [];
    const member = algorithm(import.meta.url, async function* member(ctx, _: null) {
      const a = yield* gather(ctx.index, (vs) => (calls.push([...vs]), vs.reduce((x, y) => x + y, 0)));
      const b = yield* gather(a + ctx.index, (vs) => (calls.push([...vs]), Math.max(...vs)));
      return [a, b];
    });
    const parent = algorithm(import.meta.url, async function* parent(_ctx, n: number) {
      return yield* scatter(member, Array.from({ length: n }, () => null));
    });
    const r = await run(parent, 4, { runner });
    expect(calls).toEqual([[0, 1, 2, 3], [6, 7, 8, 9]]);
    expect(r.output).toEqual([[6, 9], [6, 9], [6, 9], [6, 9]]);
    expect(r.stats.collectives).toBe(2);
  });

  it('with perMember, gives each member its own entry', async () => {
    const member = algorithm(import.meta.url, async function* member(ctx, _: null) {
      return yield* gather(ctx.index, (vs) => vs.map((v) => `for ${v}`), { perMember: true });
    });
    const parent = algorithm(import.meta.url, async function* parent(_ctx, _: null) {
      return yield* scatter(member, [null, null, null]);
    });
    expect((await run(parent, null, { runner })).output).toEqual(['for 0', 'for 1', 'for 2']);
  });

  it('calls the first member’s central, so closures see member 0’s captured values', async () => {
    const member = algorithm(import.meta.url, async function* member(ctx, _: null) {
      const mine = `captured by ${ctx.index}`;
      return yield* gather(null, () => mine);
    });
    const parent = algorithm(import.meta.url, async function* parent(_ctx, _: null) {
      return yield* scatter(member, [null, null]);
    });
    expect((await run(parent, null, { runner })).output).toEqual(['captured by 0', 'captured by 0']);
  });

  it('lets a root coroutine gather as a group of one', async () => {
    const root = algorithm(import.meta.url, async function* root(_ctx, x: number) {
      return yield* gather(x, (vs) => vs.length * 10 + (vs[0] ?? 0));
    });
    expect((await run(root, 5, { runner })).output).toBe(15);
  });

  it('deep-freezes gathered values and central results', async () => {
    const root = algorithm(import.meta.url, async function* root(_ctx, _: null) {
      let valuesFrozen = false;
      const result = yield* gather({ a: [1] }, (vs) => ((valuesFrozen = Object.isFrozen(vs[0]) && Object.isFrozen(vs)), { fit: [1, 2] }));
      return { valuesFrozen, resultFrozen: Object.isFrozen(result.fit) };
    });
    expect((await run(root, null, { runner })).output).toEqual({ valuesFrozen: true, resultFrozen: true });
  });
});

describe('inline runner: put and get', () => {
  it('round-trips values through refs, deep-frozen, with typed arrays intact', async () => {
    const root = algorithm(import.meta.url, async function* root(_ctx, _: null) {
      const ref = yield* put({ pixels: new Float32Array([1.5, 2.5]), meta: { n: 2 } });
      const back = yield* get(ref);
      return { sum: (back.pixels[0] ?? 0) + (back.pixels[1] ?? 0), frozen: Object.isFrozen(back.meta), bytes: ref.bytes };
    });
    const r = await run(root, null, { runner });
    expect(r.output.sum).toBe(4);
    expect(r.output.frozen).toBe(true);
    expect(r.output.bytes).toBeGreaterThanOrEqual(8);
    expect(r.stats.primitives).toMatchObject({ put: 1, get: 1 });
    expect(r.stats.peakStoreBytes).toBeGreaterThanOrEqual(8);
  });

  it('passes refs between units through scatter inputs and outputs', async () => {
    const reader = algorithm(import.meta.url, async function* reader(_ctx, ref: import('../../../lib/index.ts').Ref<number[]>) {
      const xs = yield* get(ref);
      return yield* put(xs.map((x) => x * 2));
    });
    const root = algorithm(import.meta.url, async function* root(_ctx, _: null) {
      const ref = yield* put([1, 2, 3]);
      const [out] = yield* scatter(reader, [ref]);
      return yield* get(out!);
    });
    expect((await run(root, null, { runner })).output).toEqual([2, 4, 6]);
  });
});
