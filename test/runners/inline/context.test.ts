import { describe, expect, it } from 'vitest';
import { algorithm, gather, run, scatter, start, type RunEvent } from '../../../lib/index.ts';
import { inlineRunner } from '../../../runners/index.ts';

const runner = inlineRunner();

const draw = algorithm(import.meta.url, async function* draw(ctx, _: null) {
  ctx.log('drawing', { n: 2 });
  return [ctx.random(), ctx.random()];
});

const draws = algorithm(import.meta.url, async function* draws(_ctx, n: number) {
  return yield* scatter(draw, Array.from({ length: n }, () => null));
});

describe('inline runner: context', () => {
  it('seeds ctx.random from the run seed and the unit path', async () => {
    const a = (await run(draws, 3, { runner, seed: 1 })).output;
    const b = (await run(draws, 3, { runner, seed: 1 })).output;
    const c = (await run(draws, 3, { runner, seed: 2 })).output;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a.map((x) => x[0])).size).toBe(3);
  });

  it('reports ctx.log as a log event tagged with the unit path', async () => {
    const { events } = await run(draws, 1, { runner });
    expect(events.find((e) => e.type === 'log')).toMatchObject({ type: 'log', path: 'root/draw:0', message: 'drawing {"n":2}' });
  });

  it('aborts ctx.signal of units cancelled when the job is cancelled', async () => {
    let signal: AbortSignal | undefined;
    const waiter = algorithm(import.meta.url, async function* waiter(ctx, _: null) {
      signal = ctx.signal;
      yield* gather(null, () => new Promise((resolve) => setTimeout(resolve, 50)));
      return 'finished';
    });
    const job = start(waiter, null, { runner });
    setTimeout(() => job.cancel(), 5);
    await expect(job.result).rejects.toMatchObject({ code: 'SKY_CANCELLED' });
    expect(signal?.aborted).toBe(true);
  });

  it('reports a unit’s life as events: started, paused and resumed at each collective, finished', async () => {
    const member = algorithm(import.meta.url, async function* member(_ctx, _: null) {
      return yield* gather(1, (vs) => vs.length);
    });
    const parent = algorithm(import.meta.url, async function* parent(_ctx, _: null) {
      return yield* scatter(member, [null, null]);
    });
    const { events } = await run(parent, null, { runner });
    const of = (path: string): string[] => events.filter((e): e is RunEvent & { path: string } => 'path' in e && e.path === path).map((e) => e.type);
    expect(of('root/member:1')).toEqual(['unit-started', 'unit-paused', 'unit-resumed', 'unit-finished']);
    expect(events.filter((e) => e.type === 'collective-completed')).toMatchObject([{ group: 'root/member', number: 1, members: 2 }]);
    expect(events.every((e, i) => i === 0 || e.t >= (events[i - 1] as RunEvent).t)).toBe(true);
  });
});
