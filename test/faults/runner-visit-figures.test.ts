// Fault matrix, per-visit memory figures on the cluster runner (docs/architecture/faults-runners.md):
// visits run at once and share every host's store, yet each visit's "spilled" and "peak resident" in
// the CLI's summary are that visit's own, not the whole run's totals.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraPresets, processVisits, type VisitResult } from '../../algorithms/index.ts';
import { visitReports } from '../../cli/visit-report.ts';
import { run, type RunEvent } from '../../lib/index.ts';
import { clusterRunner } from '../../runners/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skyloom-visit-figures-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('per-visit figures of a budgeted cluster run', () => {
  it("are each visit's own: spills sum to the run's, resident peaks stay within the hosts' budgets", async () => {
    const budget = 2_000_000; // 1 MB per host: the tiny camera's three visits spill several MB
    const runner = clusterRunner({ workers: 2, memoryBudget: budget });
    const result = await run(processVisits, { camera: cameraPresets.tiny, seed: 3, visits: [0, 1, 2] }, { runner, runDir: join(dir, 'run') });
    const events: readonly RunEvent[] = result.events;
    const reports = visitReports(result.output as VisitResult[], events);
    const total = events.reduce((sum, e) => sum + (e.type === 'spill-out' ? e.bytes : 0), 0);
    expect(total).toBeGreaterThan(0);
    const spilled = reports.map((r) => r.spilledBytes);
    // Every spill is of a ref some visit's unit put (the root puts nothing that spills here).
    expect(spilled.reduce((a, b) => a + b, 0)).toBe(total);
    for (const s of spilled) expect(s).toBeLessThan(total);
    for (const r of reports) {
      expect(r.peakResidentBytes).toBeGreaterThan(0);
      expect(r.peakResidentBytes).toBeLessThanOrEqual(budget);
    }
    // A memory sample's split by visit never claims more than its host's store holds.
    for (const e of events) {
      if (e.type !== 'memory' || e.units === undefined) continue;
      expect(Object.values(e.units).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(e.resident);
    }
  });
});
