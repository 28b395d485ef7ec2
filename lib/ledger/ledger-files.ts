/**
 * Checks a run's ledger files before SQLite opens them, because SQLite's own reaction to some damage
 * destroys data: opening a `ledger.sqlite` of 0 bytes deletes `ledger.sqlite-wal` (which may hold the
 * whole ledger), even read-only; a WAL with a bad header or a bad frame checksum is silently ignored
 * from there on (and reset by the next writer). Both are reported as `SKY_LEDGER_DAMAGED`, saying what
 * is damaged and what can still be recovered, and the files are left untouched.
 *
 * The WAL format (header, frames, cumulative checksums) is SQLite's, https://sqlite.org/fileformat.html.
 * Does not check the database file's pages (SQLite does that; see `open-ledger-db.ts`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ErrorCode, SkyloomError } from '../errors.ts';

const headerBytes = 32;
const frameHeaderBytes = 24;

export interface WalCheck {
  /** Frames in the current WAL generation that SQLite would read (up to the last good commit). */
  readonly goodFrames: number;
  /** The first frame whose checksum fails while a later frame of the same generation commits: damage. */
  readonly damagedAt: number | undefined;
  readonly headerValid: boolean;
}

/**
 * `SKY_NOT_A_RUN` if `runDir` has no ledger; `SKY_LEDGER_DAMAGED` if the database is empty while the WAL
 * holds records, or (unless `acceptDamagedWal`) the WAL is damaged.
 */
export function checkLedgerFiles(runDir: string, file: string, options: { readonly acceptDamagedWal?: boolean } = {}): void {
  const wal = `${file}-wal`;
  const walSize = existsSync(wal) ? statSync(wal).size : 0;
  if (!existsSync(file)) {
    if (walSize > 0) throw new SkyloomError(ErrorCode.LedgerDamaged, `${runDir}: ledger.sqlite is missing but ledger.sqlite-wal holds ${walSize} bytes of records; both were left untouched (put the database file back to read them)`);
    throw new SkyloomError(ErrorCode.NotARun, `${runDir} is not a skyloom run directory: it has no ledger (${file})`);
  }
  const size = statSync(file).size;
  if (size < 100 && walSize > 0) {
    const { goodFrames } = checkWal(readFileSync(wal));
    throw new SkyloomError(
      ErrorCode.LedgerDamaged,
      `${runDir}: ledger.sqlite is ${size} bytes (it has no database header) but ledger.sqlite-wal holds ${walSize} bytes (${goodFrames} committed page frames): ` +
        `the run's records are in the WAL. Nothing was opened or changed (SQLite would delete the WAL of an empty database); keep a copy of ledger.sqlite-wal: ` +
        `its records and the outputs in objects/ can be recovered by restoring the database's first page`,
    );
  }
  if (walSize === 0 || options.acceptDamagedWal) return;
  const check = checkWal(readFileSync(wal));
  if (!check.headerValid && walSize >= headerBytes) {
    throw new SkyloomError(ErrorCode.LedgerDamaged, `${runDir}: ledger.sqlite-wal (${walSize} bytes) has no valid header, so SQLite would ignore every record in it; ledger.sqlite still holds the records checkpointed before. Files left untouched; resume with --force to continue from what ledger.sqlite holds (units not recorded there run again)`);
  }
  if (check.damagedAt !== undefined) {
    throw new SkyloomError(ErrorCode.LedgerDamaged, `${runDir}: ledger.sqlite-wal is damaged at page frame ${check.damagedAt} (its checksum fails): SQLite would drop every record committed from there on; the ${check.goodFrames} frames before it are intact. Files left untouched; resume with --force to continue from the intact records (units not recorded there run again)`);
  }
}

/** Reads a WAL as SQLite would: which frames count, and whether a committed one is damaged. */
export function checkWal(bytes: Buffer): WalCheck {
  if (bytes.length < headerBytes) return { goodFrames: 0, damagedAt: undefined, headerValid: false };
  const magic = bytes.readUInt32BE(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return { goodFrames: 0, damagedAt: undefined, headerValid: false };
  const bigEndian = (magic & 1) === 1;
  const pageSize = bytes.readUInt32BE(8) || 65536;
  const salt1 = bytes.readUInt32BE(16);
  const salt2 = bytes.readUInt32BE(20);
  let sum = checksum(bytes.subarray(0, 24), [0, 0], bigEndian);
  if (sum[0] !== bytes.readUInt32BE(24) || sum[1] !== bytes.readUInt32BE(28)) return { goodFrames: 0, damagedAt: undefined, headerValid: false };
  const frameBytes = frameHeaderBytes + pageSize;
  const frames = Math.floor((bytes.length - headerBytes) / frameBytes);
  let goodFrames = 0;
  for (let k = 0; k < frames; k++) {
    const at = headerBytes + k * frameBytes;
    if (bytes.readUInt32BE(at + 8) !== salt1 || bytes.readUInt32BE(at + 12) !== salt2) break; // an older generation: not read
    sum = checksum(bytes.subarray(at + frameHeaderBytes, at + frameBytes), checksum(bytes.subarray(at, at + 8), sum, bigEndian), bigEndian);
    if (sum[0] !== bytes.readUInt32BE(at + 16) || sum[1] !== bytes.readUInt32BE(at + 20)) {
      // A torn, uncommitted tail is normal after a crash; a bad frame followed by a commit is damage.
      const laterCommit = Array.from({ length: frames - k - 1 }, (_, j) => headerBytes + (k + 1 + j) * frameBytes).some(
        (a) => bytes.readUInt32BE(a + 8) === salt1 && bytes.readUInt32BE(a + 12) === salt2 && bytes.readUInt32BE(a + 4) !== 0,
      );
      return { goodFrames, damagedAt: laterCommit ? k : undefined, headerValid: true };
    }
    if (bytes.readUInt32BE(at + 4) !== 0) goodFrames = k + 1;
  }
  return { goodFrames, damagedAt: undefined, headerValid: true };
}

/** SQLite's WAL checksum over 32-bit word pairs, continuing from `[s0, s1]`. */
function checksum(data: Buffer, [s0, s1]: readonly number[], bigEndian: boolean): [number, number] {
  let a = s0 as number;
  let b = s1 as number;
  for (let i = 0; i + 8 <= data.length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    a = (a + x0 + b) >>> 0;
    b = (b + x1 + a) >>> 0;
  }
  return [a, b];
}
