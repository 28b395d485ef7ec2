import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeForSpill, decodeFromSpill, type EncodedValue } from '../../../lib/memory/spill-codec.ts';
import { nodeSpillIo, readSpillFile, writeSpillFile, type OpenSpillFile } from '../../../lib/memory/spill-file.ts';
import { SpillFilePool } from '../../../lib/memory/spill-file-pool.ts';
import { useTempDir } from '../../fixtures/temp-dir.ts';

const tempDir = useTempDir('spill-pool');

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));
/** A file of `bytes` bytes, open as a freed ref's file is. */
async function fileOf(name: string, bytes: number): Promise<OpenSpillFile> {
  const path = join(tempDir(), name);
  await writeFile(path, Buffer.alloc(bytes, 7));
  return { path, handle: await nodeSpillIo.open(path, 'r+'), bytes };
}
function encode(value: unknown): EncodedValue {
  const result = encodeForSpill(value);
  if (!result.ok) throw new Error(result.reason);
  return result.encoded;
}

describe('SpillFilePool', () => {
  it('renames a retired file out of its ref name, and deletes files beyond maxFiles or maxBytes', async () => {
    const pool = new SpillFilePool({ directory: tempDir(), io: nodeSpillIo, maxFiles: 2, maxBytes: 250, spares: 0 });
    pool.retire(await fileOf('r1.spill', 100));
    pool.retire(await fileOf('r2.spill', 100));
    pool.retire(await fileOf('r3.spill', 100)); // over maxFiles
    await settle();
    expect((await readdir(tempDir())).sort()).toEqual(['free-1.spill', 'free-2.spill']);
    expect(pool.bytes).toBe(200);
    expect(pool.openFiles).toBe(2);
    const wide = new SpillFilePool({ directory: tempDir(), io: nodeSpillIo, maxFiles: 9, maxBytes: 250, spares: 0 });
    wide.retire(await fileOf('r4.spill', 300)); // over maxBytes
    await settle();
    expect(await readdir(tempDir())).not.toContain('r4.spill');
    expect(wide.bytes).toBe(0);
    await Promise.all([pool.clear(), wide.clear()]);
    expect(await readdir(tempDir())).toEqual([]);
  });

  it('takes the smallest file large enough, else the largest, and clear() closes and deletes the rest', async () => {
    const pool = new SpillFilePool({ directory: tempDir(), io: nodeSpillIo, spares: 0 });
    for (const [name, bytes] of [['a', 50], ['b', 400], ['c', 200], ['d', 300]] as const) pool.retire(await fileOf(name, bytes));
    await settle();
    const [mid, large] = [pool.take(150), pool.take(1000)];
    expect([mid?.bytes, large?.bytes]).toEqual([200, 400]);
    expect(pool.bytes).toBe(350);
    await pool.clear();
    // The taken files now belong to their takers; the two left in the pool are deleted.
    expect((await readdir(tempDir())).sort()).toEqual(['free-2.spill', 'free-3.spill']);
    expect(pool.take(1)).toBeUndefined();
    await Promise.all([mid?.handle.close(), large?.handle.close()]);
  });

  it('keeps fresh spare files open ahead of need, for when no pooled file is left', async () => {
    const pool = new SpillFilePool({ directory: tempDir(), io: nodeSpillIo, spares: 2 });
    expect(pool.take(100)).toBeUndefined(); // none opened yet: this asks for them
    await settle();
    expect(pool.openFiles).toBe(2);
    const spare = pool.take(100);
    expect(spare).toMatchObject({ bytes: 0, path: expect.stringMatching(/new-\d+\.spill\.tmp$/) });
    await settle();
    expect(pool.openFiles).toBe(2); // refilled
    await spare?.handle.close();
    await pool.clear();
    expect((await readdir(tempDir())).filter((f) => f !== spare?.path.split('/').pop())).toEqual([]);
  });

  it('lets a spill overwrite a larger pooled file in place, cut to size once finished, reading back bit-exact', async () => {
    const pool = new SpillFilePool({ directory: tempDir(), io: nodeSpillIo, spares: 0 });
    pool.retire(await fileOf('r1.spill', 64 * 1024));
    await settle();
    const pixels = new Float32Array(1000).map((_, i) => i * 0.5 - 3);
    const target = pool.take(4000);
    if (!target) throw new Error('no pooled file');
    const written = await writeSpillFile(nodeSpillIo, target, join(tempDir(), 'r2.spill'), encode(pixels), { ref: 'r2' }, { sync: false, verify: true });
    const before = await readSpillFile(nodeSpillIo, written.info, { ref: 'r2' }, written.handle); // the stale tail is not read
    expect(decodeFromSpill(before.skeleton, before.buffers, [])).toEqual(pixels);
    await written.finish();
    expect(await readdir(tempDir())).toEqual(['r2.spill']);
    expect((await stat(written.info.file)).size).toBe(written.info.fileBytes);
    await written.handle.close();
    const { skeleton, buffers } = await readSpillFile(nodeSpillIo, written.info, { ref: 'r2' });
    expect(decodeFromSpill(skeleton, buffers, [])).toEqual(pixels);
    await pool.clear();
  });
});
