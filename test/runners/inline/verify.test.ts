import { describe, expect, it } from 'vitest';
import { algorithm, gather, get, put, run, scatter } from '../../../lib/index.ts';
import { inlineRunner } from '../../../runners/index.ts';

const runner = inlineRunner();

const writer = algorithm(import.meta.url, async function* writer(ctx, input: { mutate: boolean }) {
  const ref = yield* put(new Float32Array([1, 2, 3]));
  const pixels = yield* get(ref);
  if (input.mutate && ctx.index === 1) pixels[0] = 42; // the mistake verify mode exists to catch
  yield* gather(pixels[1], (vs) => vs.length);
  return ref.$ref;
});

const group = algorithm(import.meta.url, async function* group(_ctx, mutate: boolean) {
  try {
    return yield* scatter(writer, [{ mutate }, { mutate }]);
  } catch (error) {
    return (error as { cause: unknown }).cause;
  }
});

describe('inline runner: verify mode', () => {
  it('fails the unit that changed a borrowed buffer with SKY_PRISTINE_VIOLATION naming the unit and the ref', async () => {
    const cause = (await run(group, true, { runner, verify: true })).output;
    expect(cause).toMatchObject({ code: 'SKY_PRISTINE_VIOLATION', unitPath: 'root/writer:1', ref: expect.any(String) });
  });

  it('lets the same program through when verify mode is off', async () => {
    expect((await run(group, true, { runner, verify: false })).output).toHaveLength(2);
  });

  it('does not report a unit that only read', async () => {
    expect((await run(group, false, { runner, verify: true })).output).toHaveLength(2);
  });

  it('is on by default in tests (SKYLOOM_VERIFY=1)', async () => {
    expect(process.env.SKYLOOM_VERIFY).toBe('1');
    expect((await run(group, true, { runner })).output).toMatchObject({ code: 'SKY_PRISTINE_VIOLATION' });
  });
});
