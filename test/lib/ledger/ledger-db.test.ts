import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LedgerDb } from '../../../lib/ledger/ledger-db.ts';

const base = mkdtempSync(join(tmpdir(), 'skyloom-ledger-db-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const cacheKiB = (db: LedgerDb): unknown => db.db.pragma('cache_size', { simple: true });

describe('LedgerDb', () => {
  it('writes with a 256 KiB page cache (the default of better-sqlite3 is 16,000 KiB), whether it creates the ledger or reopens it to resume', () => {
    const dir = join(base, 'cache');
    mkdirSync(dir);
    const created = LedgerDb.createWith(dir, () => {});
    expect(cacheKiB(created)).toBe(-256);
    created.close();
    const reopened = LedgerDb.open(dir);
    expect(cacheKiB(reopened)).toBe(-256);
    reopened.close();
  });
});
