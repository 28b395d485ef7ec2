import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../../cli/report-command.ts';
import { assignLanes } from '../../../cli/report/lanes.ts';
import { readRunData } from '../../../cli/report/run-data.ts';
import { run } from '../../../lib/index.ts';
import { slurmRunner } from '../../../runners/index.ts';
import { ownerOf } from '../../../runners/cluster/protocol.ts';
import { useLocalSlurm } from '../../runners/slurm/local-slurm.ts';
import { hostLeaves } from './fixtures/host-leaves.ts';

useLocalSlurm();

const base = mkdtempSync(join(tmpdir(), 'skyloom-slurm-lanes-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const slurmLabel = /^slurm task (\d+) on (\S+)$/;

describe('the timeline of a Slurm run', () => {
  it('gives one lane per Slurm task, labelled with its task number and node, each step on the lane of the host process that ran it', async () => {
    const runDir = join(base, 'slurm');
    const runner = slurmRunner({ tasks: 2, listen: '127.0.0.1', heartbeatTimeout: 10_000 });
    const result = await run(hostLeaves, 6, { runner, runDir, ledger: true });
    // Which host process ran each leaf, from the store that made its ref (not from the recorder).
    const ownerOfLeaf = new Map(result.output.map((leaf) => [`root/hostLeaf:${leaf.n}`, ownerOf(leaf.refId)]));
    expect(new Set(ownerOfLeaf.values()).size).toBe(2); // the placement used both tasks

    const data = await readRunData(runDir);
    const lanes = assignLanes(data.steps);
    expect(lanes.labels).toHaveLength(2);
    const tasks = lanes.labels.map((label) => slurmLabel.exec(label));
    for (const [i, match] of tasks.entries()) expect(match, lanes.labels[i]).not.toBeNull();
    expect(new Set(tasks.map((m) => m?.[1]))).toEqual(new Set(['0', '1'])); // SLURM_PROCID of each host process
    for (const m of tasks) expect(m?.[2]).not.toBe('undefined');

    // Each lane holds the leaves of exactly one host process, and different lanes different processes.
    const ownersOfLane = new Map<string, Set<number | undefined>>();
    for (const step of data.steps) {
      if (step.path === 'root') continue;
      expect(step.host, step.path).not.toBeNull();
      const owners = ownersOfLane.get(step.host ?? '') ?? new Set();
      owners.add(ownerOfLeaf.get(step.path));
      ownersOfLane.set(step.host ?? '', owners);
    }
    expect([...ownersOfLane.keys()].sort()).toEqual([...lanes.labels].sort());
    for (const owners of ownersOfLane.values()) expect(owners.size).toBe(1);
    expect(new Set([...ownersOfLane.values()].map((o) => [...o][0])).size).toBe(2);

    // The report names those lanes in its inlined data.
    const { file } = await writeReport(runDir);
    const html = readFileSync(file, 'utf8');
    const payload = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as { lanes: string[] };
    expect([...payload.lanes].sort()).toEqual([...lanes.labels].sort());
  }, 240_000);
});
