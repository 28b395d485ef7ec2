import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type Runner } from '../../../lib/index.ts';
import { clusterRunner, inlineRunner, laptopRunner } from '../../../runners/index.ts';
import { collectRoot, collectVisits, failRoot, type CollectPlan } from './fixtures/collect-algorithms.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skyloom-collect-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const plan: CollectPlan = { n: 5, gathers: 3, failAt: { 1: 0, 3: 2 } };

const runners: readonly [string, () => Runner][] = [
  ['inline, sequential', () => inlineRunner()],
  ['inline, concurrent', () => inlineRunner({ concurrent: true })],
  ['laptop', () => laptopRunner({ memoryBudget: 64 * 1024 * 1024 })],
  ['cluster, 2 workers', () => clusterRunner({ workers: 2 })],
];

describe("scatter with onFailure: 'collect'", () => {
  it('returns each member’s value or its SKY_UNIT_FAILED error, and later gathers go on with the live members and their indices', async () => {
    const out = (await run(collectRoot, plan, { runner: inlineRunner(), seed: 1 })).output as { ok: boolean; value?: { seen: { shared: unknown; own: number }[] }; code?: string }[];
    expect(out.map((o) => o.ok)).toEqual([true, false, true, false, true]);
    expect(out[1]).toMatchObject({ code: 'SKY_UNIT_FAILED', path: 'root/m:1', site: 'start', cause: { name: 'RangeError', message: 'member 1 fails in phase 0' } });
    expect(out[3]).toMatchObject({ code: 'SKY_UNIT_FAILED', path: 'root/m:3', site: 'gather#4' });
    const seen = (out[0]?.value as { seen: { shared: unknown; own: number }[] }).seen;
    expect(seen.map((s) => s.shared)).toEqual([
      { values: [0, 20, 30, 40], members: [0, 2, 3, 4] },
      { values: [1, 21, 31, 41], members: [0, 2, 3, 4] },
      { values: [2, 22, 42], members: [0, 2, 4] },
    ]);
    const last = (out[4]?.value as { seen: { own: number }[] }).seen;
    expect(last.map((s) => s.own)).toEqual([404, 404, 404]); // its own entry, found by member index, not by position
  });

  for (const [name, make] of runners) {
    it(`gives the inline runner’s per-member outcomes and central inputs on the ${name} runner, nested too`, async () => {
      const plans: CollectPlan[] = [plan, { n: 3, gathers: 2, failAt: { 0: 1 } }, { n: 2, gathers: 1, failAt: { 0: 0, 1: 1 } }];
      const expected = (await run(collectVisits, plans, { runner: inlineRunner(), seed: 3 })).output;
      const got = (await run(collectVisits, plans, { runner: make(), seed: 3, runDir: join(dir, name.replace(/\W+/g, '-')) })).output;
      expect(got).toEqual(expected);
    }); // vitest.config.ts's timeout: 60 s was under 10x this test's time on a loaded machine
  }

  it('goes on at a quorum: members that had not arrived fail as SKY_GATHER_LATE (inline: in member order)', async () => {
    const out = (await run(collectRoot, { n: 4, gathers: 1, failAt: {}, quorum: 2 }, { runner: inlineRunner(), seed: 1 })).output as { ok: boolean; code?: string; cause?: { code?: string } }[];
    expect(out.map((o) => o.ok)).toEqual([true, true, false, false]);
    expect(out[2]).toMatchObject({ code: 'SKY_UNIT_FAILED', site: 'gather#1', cause: { code: 'SKY_GATHER_LATE' } });
  });

  it('goes on at a deadline after the first arrival: the slow member fails as SKY_GATHER_LATE, the others see the central without it', async () => {
    const slow: CollectPlan = { n: 3, gathers: 1, failAt: {}, deadlineMs: 50, slowMs: { 1: 1_000 } };
    const out = (await run(collectRoot, slow, { runner: inlineRunner({ concurrent: true }), seed: 1 })).output as { ok: boolean; value?: { seen: { shared: unknown }[] }; cause?: { code?: string; message?: string } }[];
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(out[1]?.cause?.code).toBe('SKY_GATHER_LATE');
    expect(out[0]?.value?.seen[0]?.shared).toEqual({ values: [0, 20], members: [0, 2] });
  });

  it('without quorum or deadline, a slow member is waited for', async () => {
    const slow: CollectPlan = { n: 3, gathers: 1, failAt: {}, slowMs: { 1: 200 } };
    const out = (await run(collectRoot, slow, { runner: inlineRunner({ concurrent: true }), seed: 1 })).output as { ok: boolean }[];
    expect(out.map((o) => o.ok)).toEqual([true, true, true]);
  });

  it("under the default 'fail' policy a quorum's late member fails the group with SKY_GATHER_LATE", async () => {
    const result = run(failRoot, { n: 3, gathers: 1, failAt: {}, quorum: 2 }, { runner: inlineRunner(), seed: 1 });
    const error = await result.then(() => expect.unreachable('the run should fail'), (e: unknown) => e as Error & { cause: Error & { cause: unknown } });
    expect(error.cause).toMatchObject({ code: 'SKY_UNIT_FAILED', unitPath: 'root/m:2', cause: { code: 'SKY_GATHER_LATE' } });
  });
});
