import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../lib/index.ts';
import { LedgerDb } from '../../lib/ledger/ledger-db.ts';
import { inlineRunner, replayUnit } from '../../runners/index.ts';
import { visits } from '../lib/ledger/fixtures/visits.ts';

const input = { visits: 2, sensors: 3, pixels: 32 };
const runner = inlineRunner();
const dirs: string[] = [];

async function recordedRun(keep: boolean | string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'skyloom-replay-'));
  dirs.push(dir);
  const runDir = join(dir, 'run');
  await run(visits, input, { runner, seed: 5, runDir, ledger: { keep } });
  return runDir;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('replayUnit', () => {
  it('re-runs one sensor alone from its recorded input and collective replies and reproduces its output digest', async () => {
    const runDir = await recordedRun('root/visit:*/sensor:*');
    const events: string[] = [];
    const r = await replayUnit(runDir, 'root/visit:1/sensor:2', { emit: (e) => events.push(`${e.type} ${'path' in e ? e.path : ''}`) });
    expect(r.outputDigest).toBe(r.recordedDigest);
    expect(r.output).toMatchObject({ path: 'root/visit:1/sensor:2' });
    // Only that unit ran: its siblings were not needed to complete its two collectives.
    expect(events.filter((e) => e.startsWith('unit-started'))).toEqual(['unit-started root/visit:1/sensor:2']);
  });

  it('replays a visit, running its sensors live', async () => {
    const runDir = await recordedRun(true);
    const r = await replayUnit(runDir, 'root/visit:0');
    expect(r.outputDigest).toBe(r.recordedDigest);
  });

  it('says the input was not kept when the run did not keep it', async () => {
    const runDir = await recordedRun('root/visit:0/**');
    await expect(replayUnit(runDir, 'root/visit:1/sensor:0')).rejects.toMatchObject({ code: 'SKY_REPLAY_MISSING', message: expect.stringMatching(/input was not kept.*--keep/) });
  });

  it('says the ledger has no such unit', async () => {
    const runDir = await recordedRun(true);
    await expect(replayUnit(runDir, 'root/visit:7/sensor:0')).rejects.toMatchObject({ code: 'SKY_REPLAY_MISSING', message: expect.stringMatching(/no such unit/) });
  });

  it('fails with SKY_REPLAY_MISMATCH when the output digest differs from the recorded one', async () => {
    const runDir = await recordedRun(true);
    const db = LedgerDb.open(runDir);
    db.db.prepare(`UPDATE units SET output_digest = 'deadbeef' WHERE path = 'root/visit:0/sensor:1'`).run();
    db.close();
    await expect(replayUnit(runDir, 'root/visit:0/sensor:1')).rejects.toMatchObject({ code: 'SKY_REPLAY_MISMATCH' });
  });
});
