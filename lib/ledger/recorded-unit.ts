import { ErrorCode, SkyloomError } from '../errors.ts';
import type { LedgerDb } from './ledger-db.ts';

/** What the ledger holds to replay one unit alone. */
export interface RecordedUnit {
  readonly path: string;
  readonly module: string;
  readonly name: string;
  readonly index: number;
  readonly size: number;
  readonly inputDigest: string;
  readonly outputDigest: string;
  /** Object ids of the central results of the collectives it took part in, collective 1 first. */
  readonly collectives: readonly { readonly digest: string; readonly perMember: boolean; readonly position: number }[];
}

interface UnitRow {
  module: string;
  name: string;
  idx: number;
  grp: string;
  status: string;
  input_digest: string | null;
  input_kept: number;
  output_digest: string | null;
}

/** Reads what replaying `path` needs; `SKY_REPLAY_MISSING` says exactly what was not recorded or kept. */
export function readRecordedUnit(db: LedgerDb, path: string): RecordedUnit {
  const row = db.get<UnitRow>('SELECT module, name, idx, grp, status, input_digest, input_kept, output_digest FROM units WHERE path = ?', path);
  const missing = (what: string): SkyloomError => new SkyloomError(ErrorCode.ReplayMissing, `cannot replay ${path}: ${what}`, { unitPath: path });
  if (!row) throw missing('the ledger has no such unit (see `skyloom status` for the unit paths)');
  if (row.status !== 'finished' || !row.output_digest) throw missing(`it did not finish in the recorded run (status ${row.status}), so there is no output to check against`);
  if (!row.input_kept || !row.input_digest) throw missing('its input was not kept; run again with the ledger keeping inputs of units matching this path (`--keep PATTERN`)');
  const size = db.get<{ n: number }>('SELECT count(*) AS n FROM units WHERE grp = ?', row.grp)?.n ?? 1;
  const count = db.get<{ n: number }>('SELECT count(*) AS n FROM replies WHERE path = ?', path)?.n ?? 0;
  const rows = db.all<{ number: number; result_digest: string; per_member: number; live: string | null }>('SELECT number, result_digest, per_member, live FROM collectives WHERE grp = ? AND number <= ? ORDER BY number', row.grp, count);
  if (rows.length !== count) throw missing(`the results of ${count - rows.length} of its ${count} collectives were not recorded`);
  // A perMember result has one entry per member the collective had: the unit's entry is at its place among them.
  const position = (live: string | null): number => (live === null ? row.idx : (JSON.parse(live) as number[]).indexOf(row.idx));
  const collectives = rows.map((r) => ({ digest: r.result_digest, perMember: r.per_member === 1, position: position(r.live) }));
  return { path, module: row.module, name: row.name, index: row.idx, size, inputDigest: row.input_digest, outputDigest: row.output_digest, collectives };
}
