import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resume, run, type Runner } from '../../../lib/index.ts';
import { LedgerDb } from '../../../lib/ledger/ledger-db.ts';
import { clusterRunner, inlineRunner, laptopRunner, replayUnit } from '../../../runners/index.ts';
import { cutoffCollect, cutoffFail, noWaitVariable, type CutoffPlan } from './fixtures/cutoff-algorithms.ts';

// Members 2 and 3 wait seconds before each timed gather; 0 and 1 arrive within ms of each other (a
// first gather with no cutoff puts everyone in step). So the decisions below hold on every runner
// with a margin of seconds: members 0 and 1 make it, 2 and 3 are late.
const quorum: CutoffPlan = { n: 4, gathers: 2, quorum: 2, slow: [2, 3], slowMs: 3_000 };
const deadline: CutoffPlan = { n: 4, gathers: 2, deadlineMs: 2_000, slow: [2, 3], slowMs: 5_000 };

const runners: readonly [string, () => Runner][] = [
  ['inline, sequential', () => inlineRunner()],
  ['inline, concurrent', () => inlineRunner({ concurrent: true })],
  ['laptop', () => laptopRunner({ memoryBudget: 64 * 1024 * 1024 })],
  ['cluster, 2 workers', () => clusterRunner({ workers: 2 })],
];

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'skyloom-cutoff-'));
  dirs.push(dir);
  return join(dir, 'run');
};
afterEach(() => {
  delete process.env[noWaitVariable];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** What members 0 and 1 saw: the timed gathers' central got only their values and indices. */
const onTime = (index: number): unknown => ({ ok: true, value: { index, seen: [{ values: [0, 10], members: [0, 1] }, { values: [1, 11], members: [0, 1] }] } });

/** A late member's outcome: SKY_UNIT_FAILED at the first timed gather, caused by SKY_GATHER_LATE, both typed on whichever thread described them. */
const late = (index: number, why: string): unknown => ({
  ok: false,
  error: {
    skyloomError: true, name: 'SkyloomError', code: 'SKY_UNIT_FAILED', unitPath: `root/m:${index}`, site: 'gather#2',
    message: `unit root/m:${index} failed at gather#2: SKY_GATHER_LATE: root/m:${index} had not reached gather#2 when ${why}: it leaves the group`,
    cause: { skyloomError: true, name: 'SkyloomError', code: 'SKY_GATHER_LATE', unitPath: `root/m:${index}`, site: 'gather#2', message: `root/m:${index} had not reached gather#2 when ${why}: it leaves the group` },
  },
});
const quorumWhy = 'the quorum of 2 members was met';
const deadlineWhy = 'its deadline of 2000 ms after the first arrival passed';

function memberships(runDir: string): { number: number; live: string | null }[] {
  const db = LedgerDb.open(runDir, { readonly: true });
  try {
    return db.all("SELECT number, live FROM collectives WHERE grp = 'root/m' ORDER BY number");
  } finally {
    db.close();
  }
}

describe('a gather with a quorum or a deadline', () => {
  for (const [name, make] of runners) {
    it(`makes the same membership decision and gives the same outputs under 'collect' on the ${name} runner (quorum)`, async () => {
      const out = (await run(cutoffCollect, quorum, { runner: make(), seed: 1 })).output;
      expect(out).toEqual([onTime(0), onTime(1), late(2, quorumWhy), late(3, quorumWhy)]);
    });

    it(`makes the same membership decision and gives the same outputs under 'collect' on the ${name} runner (deadline)`, async () => {
      const out = (await run(cutoffCollect, deadline, { runner: make(), seed: 1 })).output;
      expect(out).toEqual([onTime(0), onTime(1), late(2, deadlineWhy), late(3, deadlineWhy)]);
    });

    it(`fails the group with the lowest late member under 'fail', the error typed in the parent's thread, on the ${name} runner`, async () => {
      const out = (await run(cutoffFail, quorum, { runner: make(), seed: 1 })).output;
      expect(out).toEqual({ failed: true, error: (late(2, quorumWhy) as { error: unknown }).error });
    });
  }

  it('records the membership in the ledger, and a resume under other timing keeps it: members recorded as late rejoin no recorded gather (inline and cluster)', async () => {
    for (const make of [() => inlineRunner(), () => clusterRunner({ workers: 2 })]) {
      const runDir = freshDir();
      const first = (await run(cutoffCollect, deadline, { runner: make(), seed: 1, runDir, ledger: true })).output as unknown[];
      expect(first).toEqual([onTime(0), onTime(1), late(2, deadlineWhy), late(3, deadlineWhy)]);
      const recorded = memberships(runDir);
      expect(recorded).toEqual([{ number: 1, live: null }, { number: 2, live: '[0,1]' }, { number: 3, live: '[0,1]' }]);
      process.env[noWaitVariable] = '1'; // now every member would be on time
      const job = await resume(runDir, { runner: make() });
      const again = await job.result;
      const output = again.output as { ok: boolean; error?: { cause?: { code?: string; site?: string } } }[];
      expect(output.slice(0, 2)).toEqual(first.slice(0, 2));
      expect(output.slice(2).map((o) => [o.ok, o.error?.cause?.code, o.error?.cause?.site])).toEqual([[false, 'SKY_NOT_A_MEMBER', 'gather#2'], [false, 'SKY_NOT_A_MEMBER', 'gather#2']]);
      expect(again.events.filter((e) => e.type === 'unit-started').map((e) => (e as { path: string }).path).sort()).toEqual(['root', 'root/m:2', 'root/m:3']);
      expect(memberships(runDir)).toEqual(recorded);
      delete process.env[noWaitVariable];
    }
  }); // vitest.config.ts's timeout: 60 s is over 10x this test's time (~12 s)

  it('replays a member that made the deadline, and the parent whose members run live again, to their recorded outputs under other timing', async () => {
    const runDir = freshDir();
    const first = await run(cutoffCollect, deadline, { runner: clusterRunner({ workers: 2 }), seed: 1, runDir, ledger: { keep: true } });
    process.env[noWaitVariable] = '1'; // now every member would be on time
    for (const path of ['root/m:0', 'root/m:1']) {
      const replayed = await replayUnit(runDir, path);
      expect(replayed.outputDigest).toBe(replayed.recordedDigest);
      expect(replayed.output).toEqual((onTime(Number(path.slice(-1))) as { value: unknown }).value);
    }
    // The root's members run live in its replay: the recorded membership, not today's timing, decides who is late.
    const root = await replayUnit(runDir, 'root');
    expect(root.outputDigest).toBe(root.recordedDigest);
    expect(root.output).toEqual(first.output);
  });
});
