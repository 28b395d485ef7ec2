import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../lib/index.ts';
import { LedgerDb } from '../../../lib/ledger/ledger-db.ts';
import { TimelineRecorder } from '../../../lib/ledger/timeline-recorder.ts';
import { inlineRunner, laptopRunner } from '../../../runners/index.ts';
import { scratchHolder } from './fixtures/scratch-holder.ts';
import { visits } from './fixtures/visits.ts';

const base = mkdtempSync(join(tmpdir(), 'skyloom-timeline-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;

function read<T>(runDir: string, sql: string): T[] {
  const db = LedgerDb.open(runDir, { readonly: true });
  try {
    return db.all<T>(sql);
  } finally {
    db.close();
  }
}

interface Step { path: string; started: number; ended: number; ending: string; site: string | null }

describe('the timeline recorder', () => {
  it('records every unit step from start or resume to its next pause, and every collective, on the units’ clock', async () => {
    const runDir = join(base, `run-${++counter}`);
    const before = Date.now();
    await run(visits, { visits: 2, sensors: 3, pixels: 64 }, { runner: inlineRunner(), runDir, ledger: true });
    const after = Date.now();
    const steps = read<Step>(runDir, 'SELECT * FROM steps ORDER BY started');
    const sensor = steps.filter((s) => s.path === 'root/visit:1/sensor:2');
    // Two gathers: three steps, the first two ending at a pause, the last with the unit's end.
    expect(sensor.map((s) => s.ending)).toEqual(['paused', 'paused', 'finished']);
    expect(sensor[0]?.site).toMatch(/gather/);
    for (const s of steps) {
      expect(s.ended).toBeGreaterThanOrEqual(s.started);
      expect(s.started).toBeGreaterThanOrEqual(before - 2);
      expect(s.ended).toBeLessThanOrEqual(after + 2);
    }
    const units = read<{ path: string; started: number }>(runDir, 'SELECT path, started FROM units');
    expect(new Set(steps.map((s) => s.path))).toEqual(new Set(units.map((u) => u.path)));
    // Same clock as the journal's: a unit's first step starts no earlier than the journal saw the unit
    // start (the group loop records every member before stepping the first), to Date.now()'s 1 ms
    // (twice: the journal's stamp and the recorder's anchor are both truncated).
    for (const u of units) {
      const first = steps.find((s) => s.path === u.path);
      expect(first?.started).toBeGreaterThanOrEqual(u.started - 2);
    }
    const gathers = read<{ grp: string; number: number; members: number }>(runDir, 'SELECT grp, number, members FROM gathers ORDER BY grp, number');
    expect(gathers).toEqual(read(runDir, 'SELECT grp, number, members FROM collectives ORDER BY grp, number'));
    expect(gathers).toHaveLength(4);
  });

  it('samples memory: the budgeted store’s resident and spilled bytes and budget, cumulative spill traffic, process RSS', async () => {
    const runDir = join(base, `run-${++counter}`);
    const budget = 500_000; // the root finally reads all six 80 kB images in one step: 480 kB pinned
    const result = await run(visits, { visits: 2, sensors: 3, pixels: 20_000, sleepMs: 120 }, { runner: laptopRunner({ memoryBudget: budget }), runDir, ledger: true });
    const samples = read<{ at: number; resident: number | null; resident_peak: number | null; spilled: number | null; budget: number | null; spill_out: number; spill_in: number; rss: number }>(runDir, 'SELECT * FROM samples ORDER BY at');
    // 2 × 120 ms of sleeping per sensor phase: far more than 100 ms, so several samples (timer + first + last).
    expect(samples.length).toBeGreaterThanOrEqual(3);
    const spilledOut = result.events.reduce((n, e) => n + (e.type === 'spill-out' ? e.bytes : 0), 0);
    expect(spilledOut).toBeGreaterThan(0);
    expect(samples.at(-1)?.spill_out).toBe(spilledOut);
    for (const [i, s] of samples.entries()) {
      expect(s.rss).toBeGreaterThan(0);
      if (i > 0) expect(s.spill_out).toBeGreaterThanOrEqual(samples[i - 1]?.spill_out ?? 0);
      if (s.resident !== null) {
        expect(s.budget).toBe(budget);
        expect(s.resident_peak).toBeGreaterThanOrEqual(s.resident);
      }
    }
    expect(samples.some((s) => s.resident !== null)).toBe(true);
  });

  it('samples the bytes units hold as scratch arrays (their leases) while they hold them, and none after', async () => {
    const runDir = join(base, `run-${++counter}`);
    const bytes = 300_000;
    await run(scratchHolder, { bytes, ms: 350 }, { runner: laptopRunner({ memoryBudget: 1_000_000 }), runDir, ledger: true });
    const samples = read<{ resident_peak: number | null; held: number | null; held_peak: number | null }>(runDir, 'SELECT resident_peak, held, held_peak FROM samples ORDER BY at');
    // The store counts the array's whole size-class buffer: at least what was asked for.
    const heldPeaks = samples.map((s) => s.held_peak ?? 0);
    expect(Math.max(...heldPeaks)).toBeGreaterThanOrEqual(bytes);
    for (const s of samples) if (s.held_peak !== null) expect(s.resident_peak).toBeGreaterThanOrEqual(s.held_peak); // held is part of resident
    expect(samples.at(-1)?.held).toBe(0); // released at the unit's end
  });

  it('adds the columns recorded since to the tables of an older ledger (a resumed run), keeping their rows', () => {
    const runDir = join(base, `run-${++counter}`);
    mkdirSync(runDir);
    const db = LedgerDb.create(runDir);
    try {
      db.db.exec(`CREATE TABLE steps (path TEXT NOT NULL, started REAL NOT NULL, ended REAL NOT NULL, ending TEXT NOT NULL, site TEXT);
        CREATE TABLE samples (at REAL NOT NULL, resident REAL, resident_peak REAL, spilled REAL, budget REAL, spill_out REAL NOT NULL, spill_in REAL NOT NULL, rss REAL NOT NULL, heap REAL NOT NULL, array_buffers REAL NOT NULL);
        INSERT INTO steps VALUES ('root', 1, 2, 'finished', NULL);`);
      new TimelineRecorder(db);
      const columns = (table: string): string[] => db.all<{ name: string }>(`PRAGMA table_info(${table})`).map((c) => c.name);
      expect(columns('steps')).toContain('host');
      expect(columns('samples')).toEqual(expect.arrayContaining(['held', 'held_peak']));
      expect(db.all('SELECT path, host FROM steps')).toEqual([{ path: 'root', host: null }]);
      new TimelineRecorder(db); // and again: nothing left to add
    } finally {
      db.close();
    }
  });

  it('records nothing of the kind with timeline: false', async () => {
    const runDir = join(base, `run-${++counter}`);
    await run(visits, { visits: 1, sensors: 2, pixels: 16 }, { runner: inlineRunner(), runDir, ledger: { timeline: false } });
    expect(read<{ name: string }>(runDir, "SELECT name FROM sqlite_master WHERE name IN ('steps', 'samples', 'gathers')")).toEqual([]);
  });
});
