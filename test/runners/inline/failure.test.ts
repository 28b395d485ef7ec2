import { describe, expect, it } from 'vitest';
import { firstValueFrom, from, toArray } from 'rxjs';
import { algorithm, gather, run, scatter, start, type Context } from '../../../lib/index.ts';
import { inlineRunner } from '../../../runners/index.ts';

interface Plan {
  /** Member index → the gather number (0 = before the first gather) at which it throws. */
  readonly failAt: Record<number, number>;
  readonly gathers: number;
}

const log: string[] = [];

const member = algorithm(import.meta.url, async function* member(ctx: Context, plan: Plan) {
  try {
    for (let k = 0; k <= plan.gathers; k++) {
      if (plan.failAt[ctx.index] === k) throw new Error(`member ${ctx.index} fails in phase ${k}`);
      if (k < plan.gathers) yield* gather(ctx.index, (vs) => vs.length);
    }
    return ctx.index;
  } finally {
    log.push(`finally ${ctx.index}${ctx.signal.aborted ? ' (cancelled)' : ''}`);
  }
});

/** What the root's scatter threw: the run rejects with the root's own failure, caused by it. */
async function scatterFailure(result: Promise<unknown>): Promise<unknown> {
  const rootFailure = await result.then(() => expect.unreachable('the run should fail'), (e: unknown) => e);
  expect(rootFailure).toMatchObject({ code: 'SKY_UNIT_FAILED', unitPath: 'root', site: 'scatter#1' });
  return (rootFailure as Error).cause;
}

const group = algorithm(import.meta.url, async function* group(_ctx, input: { n: number; plan: Plan }) {
  return yield* scatter(member, Array.from({ length: input.n }, () => input.plan), { label: 'm' });
});

for (const concurrent of [false, true]) {
  const runner = inlineRunner({ concurrent });
  describe(`inline runner (${concurrent ? 'concurrent' : 'sequential'}): failure`, () => {
    it('fails the parent’s scatter with SKY_UNIT_FAILED carrying the unit path, site and original error', async () => {
      const err = await scatterFailure(run(group, { n: 3, plan: { failAt: { 1: 1 }, gathers: 2 } }, { runner }));
      expect(err).toMatchObject({ code: 'SKY_UNIT_FAILED', unitPath: 'root/m:1', site: 'gather#1' });
      expect((err as Error).cause).toMatchObject({ message: 'member 1 fails in phase 1' });
    });

    it('cancels the siblings with return(), so their finally blocks run with the signal aborted', async () => {
      log.length = 0;
      await run(group, { n: 3, plan: { failAt: { 1: 1 }, gathers: 2 } }, { runner }).catch(() => {});
      expect([...log].sort()).toEqual(['finally 0 (cancelled)', 'finally 1', 'finally 2 (cancelled)']);
    });

    it('reports each cancelled sibling as cancelled, never also as finished', async () => {
      const job = start(group, { n: 4, plan: { failAt: { 1: 1 }, gathers: 2 } }, { runner });
      await job.result.catch(() => {});
      const events = await firstValueFrom(from(job.events).pipe(toArray()));
      const ends = (path: string): string[] => events.filter((e) => 'path' in e && e.path === path && /finished|cancelled|failed/.test(e.type)).map((e) => e.type);
      expect(ends('root/m:1')).toEqual(['unit-failed']);
      for (const sibling of ['root/m:0', 'root/m:2', 'root/m:3']) expect(ends(sibling)).toEqual(['unit-cancelled']);
    });

    it('reports the lowest member index among failures in the same phase', async () => {
      const err = await scatterFailure(run(group, { n: 4, plan: { failAt: { 3: 1, 1: 1, 2: 1 }, gathers: 2 } }, { runner }));
      expect(err).toMatchObject({ unitPath: 'root/m:1' });
    });

    it('reports the failure of the earliest phase even when a lower member fails later', async () => {
      const err = await scatterFailure(run(group, { n: 4, plan: { failAt: { 0: 2, 3: 1 }, gathers: 2 } }, { runner }));
      expect(err).toMatchObject({ unitPath: 'root/m:3' });
    });

    it('lets a parent catch a failed scatter and go on, other groups unaffected', async () => {
      const parent = algorithm(import.meta.url, async function* parent(_ctx, _: null) {
        let caught = '';
        try {
          yield* scatter(member, [{ failAt: { 0: 0 }, gathers: 1 }]);
        } catch (error) {
          caught = (error as { unitPath: string }).unitPath;
        }
        const ok = yield* scatter(member, [{ failAt: {}, gathers: 1 }, { failAt: {}, gathers: 1 }]);
        return { caught, ok };
      });
      expect((await run(parent, null, { runner })).output).toEqual({ caught: 'root/member:0', ok: [0, 1] });
    });

    it('fails the root run with SKY_UNIT_FAILED at path root when the root throws', async () => {
      const root = algorithm(import.meta.url, async function* root(_ctx, _: null) {
        throw new RangeError('bad visit');
      });
      await expect(run(root, null, { runner })).rejects.toMatchObject({ code: 'SKY_UNIT_FAILED', unitPath: 'root', site: 'start', cause: expect.any(RangeError) });
    });

    it('reports a nested failure as a chain of causes', async () => {
      const outer = algorithm(import.meta.url, async function* outer(_ctx, _: null) {
        return yield* scatter(group, [{ n: 2, plan: { failAt: { 1: 0 }, gathers: 1 } }]);
      });
      const err = await scatterFailure(run(outer, null, { runner }));
      expect(err).toMatchObject({ code: 'SKY_UNIT_FAILED', unitPath: 'root/group:0', site: 'scatter#1' });
      const inner = (err as Error).cause;
      expect(inner).toMatchObject({ code: 'SKY_UNIT_FAILED', unitPath: 'root/group:0/m:1', site: 'start' });
      expect((inner as Error).cause).toMatchObject({ message: 'member 1 fails in phase 0' });
    });
  });
}
