import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { algorithm, gather, put, run, scatter, start, type RunEvent } from '../../lib/index.ts';
import type { RunEventBody } from '../../lib/events.ts';
import { startRun } from '../../lib/run.ts';
import { inlineRunner } from '../../runners/index.ts';

const runner = inlineRunner();

const member = algorithm(import.meta.url, async function* member(ctx, _: null) {
  yield* put(ctx.index);
  return yield* gather(ctx.index, (vs) => vs.length);
});

const parent = algorithm(import.meta.url, async function* parent(_ctx, n: number) {
  return yield* scatter(member, Array.from({ length: n }, () => null));
});

describe('start', () => {
  it('rejects bad input at once with SKY_INVALID_ARGUMENT saying what was expected and got', () => {
    expect(() => start({} as never, null, { runner })).toThrow(/expected an algorithm made by algorithm\(\), got plain object/);
    expect(() => start(parent, 1, {} as never)).toThrow(/runner: expected a runner such as inlineRunner\(\), got undefined/);
    expect(() => start(parent, 1, { runner, seed: 1.5 })).toThrow(/seed: expected a safe integer, got number 1.5/);
    expect(() => start(parent, 1, { runner, verify: 'yes' as never })).toThrow(/verify: expected a boolean/);
    expect(() => start(parent, 1, { runner, eventWindow: 0 })).toThrow(/eventWindow: expected a positive integer/);
  });

  it('gives a job whose events are live at once and work with rxjs from()', async () => {
    const job = start(parent, 3, { runner });
    const all = firstValueFrom(from(job.events).pipe(toArray()));
    const { output } = await job.result;
    expect(output).toEqual([3, 3, 3]);
    expect((await all).filter((e) => e.type === 'unit-finished')).toHaveLength(4);
  });

  it('gives events that work with for await', async () => {
    const job = start(parent, 2, { runner });
    const types: string[] = [];
    for await (const e of job.events) types.push(e.type);
    expect(types[0]).toBe('unit-started');
    expect(types.at(-1)).toBe('unit-finished');
    expect(types).toContain('collective-completed');
  });

  it('replays past events to a subscriber who comes late, bounded by the window', async () => {
    const job = start(parent, 4, { runner, eventWindow: 5 });
    const { events } = await job.result;
    const late: RunEvent[] = await firstValueFrom(from(job.events).pipe(toArray()));
    expect(late).toHaveLength(5);
    expect(events).toEqual(late);
    expect(late.at(-1)).toMatchObject({ type: 'unit-finished', path: 'root' });
  });

  it('keeps, by default, a window bounded by bytes: a long run keeps its last events, not all of them', async () => {
    // Each unit of 2,000 emits ~5 events of ~200 bytes (estimated): ~2 MB in all, kept in a 64 KB window.
    const job = start(parent, 2_000, { runner, eventWindowBytes: 64 * 1024 });
    const { events } = await job.result;
    expect(events.length).toBeGreaterThan(100);
    expect(events.length).toBeLessThan(64 * 1024 / 160); // no event is estimated under 160 bytes
    expect(events.at(-1)).toMatchObject({ type: 'unit-finished', path: 'root' });
    const late: RunEvent[] = await firstValueFrom(from(job.events).pipe(toArray()));
    expect(late).toEqual(events);
    expect(() => start(parent, 1, { runner, eventWindowBytes: 0 })).toThrow(/eventWindowBytes: expected a positive integer/);
  });

  it('tells a layer’s event tap of every event of the run, with the t subscribers see', async () => {
    const told: { body: RunEventBody; t: number }[] = [];
    const job = startRun(parent, 3, { runner }, async () => ({ onEvent: (body, t) => told.push({ body, t }), finish: async () => {} }));
    const { events } = await job.result;
    expect(told.length).toBeGreaterThan(10);
    expect(told.map(({ body, t }) => ({ ...body, t }))).toEqual(events);
  });

  it('tells the job’s run directory: the one given, or a fresh one under the temp directory', async () => {
    const given = start(parent, 1, { runner, runDir: join(tmpdir(), 'skyloom-given') });
    expect(given.runDir).toBe(join(tmpdir(), 'skyloom-given'));
    const fresh = start(parent, 1, { runner });
    expect(fresh.runDir).toMatch(/skyloom[\\/]run-/);
    expect(fresh.runDir).not.toBe(start(parent, 1, { runner }).runDir);
    await Promise.all([given.result, fresh.result]);
  });

  it('counts units, primitives, collectives and peak store bytes', async () => {
    const { stats } = await run(parent, 3, { runner });
    expect(stats).toMatchObject({ units: 4, primitives: { put: 3, get: 0, scatter: 1, gather: 3 }, collectives: 1 });
    expect(stats.peakStoreBytes).toBeGreaterThan(0);
    expect(stats.wallMs).toBeGreaterThan(0);
  });

  it('fails a unit that yields a value instead of yield* a primitive with SKY_NOT_A_PRIMITIVE', async () => {
    const sloppy = algorithm(import.meta.url, async function* sloppy(_ctx, _: null) {
      yield put(1) as never; // missing `*`: yields the helper generator itself
      return 1;
    });
    await expect(run(sloppy, null, { runner })).rejects.toMatchObject({ code: 'SKY_UNIT_FAILED', cause: { code: 'SKY_NOT_A_PRIMITIVE' } });
  });
});
