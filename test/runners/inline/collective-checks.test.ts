import { describe, expect, it } from 'vitest';
import { algorithm, gather, run, scatter } from '../../../lib/index.ts';
import { inlineRunner } from '../../../runners/index.ts';

const sum = (vs: readonly number[]): number => vs.reduce((a, b) => a + b, 0);
const max = (vs: readonly number[]): number => Math.max(...vs);

type Mode = 'same' | 'other-central' | 'per-member' | 'return-early' | 'wrong-length' | 'central-throws';

const member = algorithm(import.meta.url, async function* member(ctx, mode: Mode) {
  const odd = ctx.index === 2;
  if (mode === 'return-early' && odd) return 'left early';
  if (mode === 'other-central' && odd) return yield* gather(ctx.index, max);
  if (mode === 'per-member' && odd) return yield* gather(ctx.index, sum, { perMember: true } as never);
  if (mode === 'wrong-length' || mode === 'central-throws') {
    try {
      return yield* gather(ctx.index, (vs) => {
        if (mode === 'central-throws') throw new Error('fit diverged');
        return vs.slice(1);
      }, { perMember: true });
    } catch (error) {
      return `caught ${(error as { code: string }).code}`;
    }
  }
  return yield* gather(ctx.index, sum);
});

const group = algorithm(import.meta.url, async function* group(_ctx, mode: Mode) {
  try {
    return yield* scatter(member, [mode, mode, mode, mode], { label: 'm' });
  } catch (error) {
    const e = error as { cause: { code: string; units: string[]; message: string }; unitPath: string };
    return { failed: e.unitPath, code: e.cause.code, units: e.cause.units, message: e.cause.message };
  }
});

const runner = inlineRunner();

describe('inline runner: collective checks', () => {
  it('completes a collective when every member gathers with the same central', async () => {
    expect((await run(group, 'same', { runner })).output).toEqual([6, 6, 6, 6]);
  });

  it('fails with SKY_COLLECTIVE_MISMATCH when a member gathers with a central defined elsewhere', async () => {
    const out = (await run(group, 'other-central', { runner })).output;
    expect(out).toMatchObject({ failed: 'root/m:2', code: 'SKY_COLLECTIVE_MISMATCH', units: ['root/m:0', 'root/m:2'] });
    expect((out as { message: string }).message).toMatch(/central max@\w+ where root\/m:0 has central sum@\w+/);
  });

  it('fails with SKY_COLLECTIVE_MISMATCH when a member differs in perMember', async () => {
    expect((await run(group, 'per-member', { runner })).output).toMatchObject({ failed: 'root/m:2', code: 'SKY_COLLECTIVE_MISMATCH' });
  });

  it('fails with SKY_COLLECTIVE_EARLY_RETURN when a member returns while siblings wait at a gather', async () => {
    const out = (await run(group, 'return-early', { runner })).output;
    expect(out).toMatchObject({ failed: 'root/m:2', code: 'SKY_COLLECTIVE_EARLY_RETURN', units: ['root/m:2', 'root/m:0', 'root/m:1', 'root/m:3'] });
  });

  it('throws SKY_PER_MEMBER_LENGTH into every member when perMember results have the wrong length', async () => {
    expect((await run(group, 'wrong-length', { runner })).output).toEqual(Array(4).fill('caught SKY_PER_MEMBER_LENGTH'));
  });

  it('throws SKY_CENTRAL_FAILED into every member when central throws', async () => {
    expect((await run(group, 'central-throws', { runner })).output).toEqual(Array(4).fill('caught SKY_CENTRAL_FAILED'));
  });
});
