import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../../cli/report-command.ts';
import { assignLanes } from '../../../cli/report/lanes.ts';
import { readRunData } from '../../../cli/report/run-data.ts';
import { run } from '../../../lib/index.ts';
import { clusterRunner, laptopRunner } from '../../../runners/index.ts';
import { ownerOf } from '../../../runners/cluster/protocol.ts';
import { hostLeaves } from './fixtures/host-leaves.ts';

const base = mkdtempSync(join(tmpdir(), 'skyloom-host-lanes-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the timeline lays out steps per host/thread', () => {
  it('a cluster run with 2 workers gives 2 worker lanes, each step on the lane of the host that ran it', async () => {
    const runDir = join(base, 'cluster');
    const result = await run(hostLeaves, 6, { runner: clusterRunner({ workers: 2 }), runDir, ledger: true });
    // Which worker ran each leaf, from the store that made its ref (not from the recorder).
    const ranOn = new Map(result.output.map((leaf) => [`root/hostLeaf:${leaf.n}`, `worker ${ownerOf(leaf.refId)}`]));
    expect(new Set(ranOn.values())).toEqual(new Set(['worker 0', 'worker 1'])); // the placement used both

    const data = await readRunData(runDir);
    const lanes = assignLanes(data.steps);
    expect(lanes.labels).toEqual(['worker 0', 'worker 1']); // every unit, the root too, runs on a worker host
    const leafSteps = data.steps.map((s, i) => ({ ...s, lane: lanes.labels[lanes.of[i] ?? -1] })).filter((s) => s.path !== 'root');
    expect(leafSteps).toHaveLength(6 * 2); // to the gather, then to the end
    for (const step of leafSteps) {
      expect(step.host, step.path).toBe(ranOn.get(step.path));
      expect(step.lane, step.path).toBe(ranOn.get(step.path));
      // Timed on the host's clock, so a step keeps its length (each spins 20 ms; no upper bound: the machine is shared).
      expect(step.end - step.start, step.path).toBeGreaterThanOrEqual(15);
    }
    // The root's two steps (to its scatter, and after it) ran on one worker.
    const rootHosts = data.steps.filter((s) => s.path === 'root').map((s) => s.host);
    expect(rootHosts).toHaveLength(2);
    expect(['worker 0', 'worker 1']).toContain(rootHosts[0]);
    expect(rootHosts[1]).toBe(rootHosts[0]);
    // One worker's steps never overlap (a host runs one step at a time), so it needs no second lane.
    expect(lanes.labels.filter((l) => l.includes('·'))).toEqual([]);
    // The report draws those lanes: its inlined data names them and puts each step in its host's.
    const { file } = await writeReport(runDir);
    const html = readFileSync(file, 'utf8');
    const payload = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as { lanes: string[]; steps: { path: string; lane: string }[] };
    expect(payload.lanes).toEqual(['worker 0', 'worker 1']);
    for (const step of payload.steps) if (step.path !== 'root') expect(step.lane, step.path).toBe(ranOn.get(step.path));
    expect(html).toContain('runs every unit on a worker host');
  }, 60_000);

  it('a laptop run records every step on the main thread', async () => {
    const runDir = join(base, 'laptop');
    await run(hostLeaves, 3, { runner: laptopRunner({ memoryBudget: '4MB' }), runDir, ledger: true });
    const data = await readRunData(runDir);
    expect(data.steps).toHaveLength(2 + 3 * 2);
    expect(new Set(data.steps.map((s) => s.host))).toEqual(new Set(['main thread']));
    expect(assignLanes(data.steps).labels).toEqual(['main thread']);
  }, 60_000);
});
