import { LedgerDb } from './ledger-db.ts';
import { readRunRecord, type RunRecord } from './run-record.ts';

export interface LevelSummary {
  /** Depth in the unit tree: 0 for the root. */
  readonly depth: number;
  readonly units: number;
  /** Sum of the units' wall times, and the longest of them, in ms (units that ended). */
  readonly totalMs: number;
  readonly longestMs: number;
  /** Bytes the units of this level put into the store, in total and the most by one unit. */
  readonly bytesPut: number;
  readonly mostBytesPut: number;
}

export interface RunStatus {
  readonly runDir: string;
  readonly run: RunRecord;
  readonly units: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly collectives: number;
  readonly failures: readonly { readonly path: string; readonly code: string; readonly site: string; readonly message: string; readonly attempts: number }[];
  readonly levels: readonly LevelSummary[];
}

interface Row {
  path: string;
  status: string;
  attempts: number;
  started: number | null;
  ended: number | null;
  bytes_put: number | null;
  error_code: string | null;
  error_site: string | null;
  error_message: string | null;
}

/** A summary of the run recorded in `runDir`, read from its ledger (read-only). */
export function readRunStatus(runDir: string): RunStatus {
  const db = LedgerDb.open(runDir, { readonly: true });
  try {
    const run = readRunRecord(db, runDir);
    const rows = db.all<Row>('SELECT path, status, attempts, started, ended, bytes_put, error_code, error_site, error_message FROM units ORDER BY path');
    const byStatus: Record<string, number> = {};
    for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const failures = rows
      .filter((r) => r.status === 'failed')
      .map((r) => ({ path: r.path, code: r.error_code ?? '', site: r.error_site ?? '', message: r.error_message ?? '', attempts: r.attempts }));
    const collectives = db.get<{ n: number }>('SELECT count(*) AS n FROM collectives')?.n ?? 0;
    return { runDir, run, units: rows.length, byStatus, collectives, failures, levels: levels(rows) };
  } finally {
    db.close();
  }
}

function levels(rows: readonly Row[]): LevelSummary[] {
  const byDepth = new Map<number, Row[]>();
  for (const r of rows) {
    const depth = r.path.split('/').length - 1;
    byDepth.set(depth, [...(byDepth.get(depth) ?? []), r]);
  }
  return [...byDepth.entries()]
    .sort(([a], [b]) => a - b)
    .map(([depth, rs]) => {
      const times = rs.filter((r) => r.started !== null && r.ended !== null).map((r) => (r.ended as number) - (r.started as number));
      const bytes = rs.map((r) => r.bytes_put ?? 0);
      return {
        depth,
        units: rs.length,
        totalMs: times.reduce((a, b) => a + b, 0),
        longestMs: Math.max(0, ...times),
        bytesPut: bytes.reduce((a, b) => a + b, 0),
        mostBytesPut: Math.max(0, ...bytes),
      };
    });
}
