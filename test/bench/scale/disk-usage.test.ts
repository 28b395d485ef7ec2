import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diskUsage } from '../../../bench/scale/disk-usage.ts';

const dir = mkdtempSync(join(tmpdir(), 'skyloom-disk-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('disk use of a directory tree', () => {
  it('counts the blocks of files in nested directories, and a missing path as 0', async () => {
    const empty = await diskUsage(dir);
    mkdirSync(join(dir, 'spill'));
    writeFileSync(join(dir, 'spill', 'a.spill'), Buffer.alloc(1 << 20, 1));
    writeFileSync(join(dir, 'b'), Buffer.alloc(1 << 19, 1));
    const used = (await diskUsage(dir)) - empty;
    expect(used).toBeGreaterThanOrEqual(1.5 * (1 << 20)); // at least what was written (blocks round up)
    expect(used).toBeLessThan(2 * (1 << 20));
    expect(await diskUsage(join(dir, 'missing'))).toBe(0);
  });
});
