import { describe, expect, expectTypeOf, it } from 'vitest';
import { algorithm, gather, get, put, run, scatter, type Algorithm, type Ref } from '../../lib/index.ts';
import { inlineRunner } from '../../runners/index.ts';

// The type assertions are checked by `tsc --noEmit` (run in CI); the run checks the values.
const child = algorithm(import.meta.url, async function* child(_ctx, label: string) {
  return label.length;
});

const typed = algorithm(import.meta.url, async function* typed(_ctx, x: number) {
  const wcs = yield* gather({ x }, (vs) => ({ n: vs.length, first: vs[0]?.x }));
  expectTypeOf(wcs).toEqualTypeOf<{ n: number; first: number | undefined }>();
  const ref = yield* put(new Float32Array([x, 2]));
  expectTypeOf(ref).toEqualTypeOf<Ref<Float32Array<ArrayBuffer>>>();
  const pixels = yield* get(ref);
  expectTypeOf(pixels).toEqualTypeOf<Float32Array<ArrayBuffer>>();
  const first = pixels[0]; // read before the next pause, where the lease on `pixels` ends
  const lengths = yield* scatter(child, ['ab', 'c']);
  expectTypeOf(lengths).toEqualTypeOf<number[]>();
  const mine = yield* gather(x, (vs) => vs.map((v) => `member value ${v}`), { perMember: true });
  expectTypeOf(mine).toEqualTypeOf<string>();
  return { wcs, first, lengths, mine };
});

describe('typed yield* helpers', () => {
  it('infer each primitive’s result with no cast in user code', async () => {
    expectTypeOf(typed).toEqualTypeOf<Algorithm<number, { wcs: { n: number; first: number | undefined }; first: number | undefined; lengths: number[]; mine: string }>>();
    const { output } = await run(typed, 7, { runner: inlineRunner() });
    expect(output).toEqual({ wcs: { n: 1, first: 7 }, first: 7, lengths: [2, 1], mine: 'member value 7' });
  });
});
