import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resume, run, type Runner } from '../../../lib/index.ts';
import { LedgerDb } from '../../../lib/ledger/ledger-db.ts';
import { clusterRunner, inlineRunner, replayUnit } from '../../../runners/index.ts';
import { collectVisits, type CollectPlan } from '../../runners/shared/fixtures/collect-algorithms.ts';

const plans: CollectPlan[] = [
  { n: 5, gathers: 3, failAt: { 1: 0, 3: 2 } },
  { n: 3, gathers: 2, failAt: {} },
];
const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'skyloom-collect-ledger-'));
  dirs.push(dir);
  return join(dir, 'run');
};

afterEach(() => {
  delete process.env.SKYLOOM_TEST_FAIL;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function started(events: readonly { readonly type: string; readonly path?: string }[]): string[] {
  return events.filter((e) => e.type === 'unit-started').map((e) => e.path as string);
}

function recordedMemberships(runDir: string): { grp: string; number: number; live: string | null }[] {
  const db = LedgerDb.open(runDir, { readonly: true });
  try {
    return db.all('SELECT grp, number, live FROM collectives ORDER BY grp, number');
  } finally {
    db.close();
  }
}

describe("resume of a run whose scatters collected failures", () => {
  const runners: [string, () => Runner][] = [['inline', () => inlineRunner()], ['cluster', () => clusterRunner({ workers: 2 })]];
  for (const [name, make] of runners) {
    it(`retries only the failed members (and the units above them), to the same output (${name})`, async () => {
      const runDir = freshDir();
      const first = await run(collectVisits, plans, { runner: make(), seed: 2, runDir, ledger: true });
      expect(recordedMemberships(runDir).filter((c) => c.grp === 'root/visit:0/m').map((c) => c.live)).toEqual(['[0,2,3,4]', '[0,2,3,4]', '[0,2,3,4]', '[0,2,3,4]', '[0,2,4]', '[0,2,4]']); // two gathers a round
      const job = await resume(runDir, { runner: make() });
      const again = await job.result;
      expect(again.output).toEqual(first.output);
      expect(started(again.events).sort()).toEqual(['root', 'root/visit:0', 'root/visit:0/m:1', 'root/visit:0/m:3']);
    }); // vitest.config.ts's timeout: 60 s was under 10x this test's time on a loaded machine
  }

  it('keeps the recorded membership: a member that failed once and now succeeds leaves at the gather recorded without it (SKY_NOT_A_MEMBER)', async () => {
    const runDir = freshDir();
    process.env.SKYLOOM_TEST_FAIL = 'root/visit:1/m:2';
    const first = (await run(collectVisits, plans, { runner: inlineRunner(), seed: 2, runDir, ledger: true })).output as { ok: boolean; cause?: { message?: string } }[][];
    expect(first[1]?.map((o) => o.ok)).toEqual([true, true, false]);
    delete process.env.SKYLOOM_TEST_FAIL;
    const again = (await (await resume(runDir, { runner: inlineRunner() })).result).output as typeof first;
    expect(again[1]?.[2]).toMatchObject({ ok: false, code: 'SKY_UNIT_FAILED', site: 'gather#1', cause: { code: 'SKY_NOT_A_MEMBER' } });
    expect(again[1]?.slice(0, 2)).toEqual(first[1]?.slice(0, 2));
    expect(again[0]).toEqual(first[0]);
  });

  it('replays a member of a group that went on without some members: its own perMember entries are found by member index', async () => {
    const runDir = freshDir();
    await run(collectVisits, plans, { runner: inlineRunner(), seed: 2, runDir, ledger: { keep: 'root/visit:0/m:*' } });
    const replayed = await replayUnit(runDir, 'root/visit:0/m:4');
    expect(replayed.outputDigest).toBe(replayed.recordedDigest);
    expect(replayed.output).toMatchObject({ index: 4 });
  });
});
