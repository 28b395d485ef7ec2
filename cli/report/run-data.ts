/**
 * What the run report draws, read from a run directory's ledger (read-only): the run record, every
 * unit, the steps/collectives/memory samples `TimelineRecorder` kept, and the root input and output
 * (for the focal-plane plots). Times become milliseconds since the run's first recorded moment.
 * Does not draw anything (see `report-html.ts`) and does not know the algorithms (see `focal-plane.ts`).
 */
import { LedgerDb } from '../../lib/ledger/ledger-db.ts';
import { ObjectStore } from '../../lib/ledger/object-store.ts';
import { readRunRecord, type RunRecord } from '../../lib/ledger/run-record.ts';
import { ValueCodec } from '../../lib/ledger/value-codec.ts';
import { levelTable, type LevelRow, type UnitRow } from './level-table.ts';

export interface StepBar {
  readonly path: string;
  /** The top-level unit it belongs to (`visit:3`), for colour. */
  readonly top: string;
  readonly start: number;
  readonly end: number;
  readonly ending: string;
  readonly site: string | null;
  /** The unit failed (this step or another of its steps): drawn red. */
  readonly failed: boolean;
  /** The host/thread that ran it (`main thread`, `worker 1`, `slurm task 0 on n1`); null in ledgers written before hosts were recorded. */
  readonly host: string | null;
}

export interface GatherMark {
  readonly group: string;
  readonly number: number;
  readonly members: number;
  readonly at: number;
}

export interface MemorySample {
  readonly t: number;
  readonly resident: number | null;
  readonly residentPeak: number | null;
  readonly spilled: number | null;
  readonly budget: number | null;
  /** Peak within the sample of bytes units held as scratch arrays and taken values (null: none recorded). */
  readonly heldPeak: number | null;
  readonly rss: number;
  readonly heap: number;
  readonly arrayBuffers: number;
  /** Bytes per second since the previous sample. */
  readonly spillWriteRate: number;
  readonly spillReadRate: number;
}

export interface RunData {
  readonly runDir: string;
  readonly run: RunRecord;
  readonly units: readonly UnitRow[];
  readonly levels: readonly LevelRow[];
  readonly steps: readonly StepBar[];
  readonly gathers: readonly GatherMark[];
  readonly samples: readonly MemorySample[];
  /** False for a ledger written before steps and samples were recorded. */
  readonly hasTimeline: boolean;
  readonly input: unknown;
  /** The root unit's output, if it finished. */
  readonly output: unknown;
}

const noRefs = {
  read: () => Promise.reject(new Error('the report reads plain values only')),
  write: () => Promise.reject(new Error('the report reads plain values only')),
};

export async function readRunData(runDir: string): Promise<RunData> {
  const db = LedgerDb.open(runDir, { readonly: true });
  try {
    const run = readRunRecord(db, runDir);
    const units = db.all<UnitRow>('SELECT path, status, attempts, started, ended FROM units ORDER BY started');
    const tables = new Set(db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => r.name));
    const hasTimeline = tables.has('steps') && tables.has('samples') && tables.has('gathers');
    const hasHosts = hasTimeline && db.all<{ name: string }>('PRAGMA table_info(steps)').some((c) => c.name === 'host');
    const rawSteps = hasTimeline ? db.all<{ path: string; started: number; ended: number; ending: string; site: string | null; host: string | null }>(`SELECT path, started, ended, ending, site, ${hasHosts ? 'host' : 'NULL AS host'} FROM steps ORDER BY started`) : [];
    const rawGathers = hasTimeline ? db.all<{ grp: string; number: number; members: number; at: number }>('SELECT grp, number, members, at FROM gathers ORDER BY at') : [];
    const rawSamples = hasTimeline ? db.all<RawSample>('SELECT * FROM samples ORDER BY at') : [];
    const t0 = [...units.map((u) => u.started ?? Infinity), ...rawSteps.map((s) => s.started), ...rawSamples.map((s) => s.at)].reduce((a, b) => Math.min(a, b), Infinity);
    const failed = new Set(units.filter((u) => u.status === 'failed').map((u) => u.path));
    const codec = new ValueCodec(new ObjectStore(runDir));
    const rootOutput = db.get<{ output_digest: string | null }>("SELECT output_digest FROM units WHERE path = 'root'")?.output_digest;
    return {
      runDir,
      run,
      units,
      levels: levelTable(units),
      steps: rawSteps.map((s) => ({ path: s.path, top: topOf(s.path), start: s.started - t0, end: s.ended - t0, ending: s.ending, site: s.site, failed: failed.has(s.path), host: s.host })),
      gathers: rawGathers.map((g) => ({ group: g.grp, number: g.number, members: g.members, at: g.at - t0 })),
      samples: memorySamples(rawSamples, t0),
      hasTimeline,
      input: await codec.decode(run.inputDigest, noRefs),
      output: rootOutput ? await codec.decode(rootOutput, noRefs) : undefined,
    };
  } finally {
    db.close();
  }
}

interface RawSample {
  at: number;
  resident: number | null;
  resident_peak: number | null;
  spilled: number | null;
  budget: number | null;
  spill_out: number;
  spill_in: number;
  rss: number;
  heap: number;
  array_buffers: number;
  /** Absent in ledgers written before it was recorded. */
  held_peak?: number | null;
}

function memorySamples(raw: readonly RawSample[], t0: number): MemorySample[] {
  return raw.map((s, i) => {
    const previous = raw[i - 1];
    const seconds = previous ? (s.at - previous.at) / 1000 : 0;
    const rate = (now: number, before: number | undefined): number => (seconds > 0 && before !== undefined ? Math.max(0, now - before) / seconds : 0);
    return {
      t: s.at - t0,
      resident: s.resident,
      residentPeak: s.resident_peak,
      spilled: s.spilled,
      budget: s.budget,
      heldPeak: s.held_peak ?? null,
      rss: s.rss,
      heap: s.heap,
      arrayBuffers: s.array_buffers,
      spillWriteRate: rate(s.spill_out, previous?.spill_out),
      spillReadRate: rate(s.spill_in, previous?.spill_in),
    };
  });
}

/** `root/visit:3/sensor:5` → `visit:3`; the root itself → `root`. */
export function topOf(path: string): string {
  return path.split('/')[1] ?? path;
}
