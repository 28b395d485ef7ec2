import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeForSpill, decodeFromSpill, type EncodedValue } from '../../lib/spill-codec.ts';
import { nodeSpillIo, readSpillFile, writeSpillFile } from '../../lib/spill-file.ts';
import { SpillFilePool } from '../../lib/spill-file-pool.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skyloom-spill-pool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));
async function fileOf(name: string, bytes: number): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, Buffer.alloc(bytes, 7));
  return file;
}
function encode(value: unknown): EncodedValue {
  const result = encodeForSpill(value);
  if (!result.ok) throw new Error(result.reason);
  return result.encoded;
}

describe('SpillFilePool', () => {
  it('renames a retired file out of its ref name, and deletes files beyond maxFiles or maxBytes', async () => {
    const pool = new SpillFilePool({ directory: dir, io: nodeSpillIo, maxFiles: 2, maxBytes: 250 });
    pool.retire(await fileOf('r1.spill', 100), 100);
    pool.retire(await fileOf('r2.spill', 100), 100);
    pool.retire(await fileOf('r3.spill', 100), 100); // over maxFiles
    await settle();
    expect((await readdir(dir)).sort()).toEqual(['free-1.spill', 'free-2.spill']);
    expect(pool.bytes).toBe(200);
    const wide = new SpillFilePool({ directory: dir, io: nodeSpillIo, maxFiles: 9, maxBytes: 250 });
    wide.retire(await fileOf('r4.spill', 300), 300); // over maxBytes
    await settle();
    expect(await readdir(dir)).not.toContain('r4.spill');
    expect(wide.bytes).toBe(0);
  });

  it('takes the smallest file large enough, else the largest, and clear() deletes the rest', async () => {
    const pool = new SpillFilePool({ directory: dir, io: nodeSpillIo });
    for (const [name, bytes] of [['a', 50], ['b', 400], ['c', 200], ['d', 300]] as const) pool.retire(await fileOf(name, bytes), bytes);
    await settle();
    expect(pool.take(150)?.bytes).toBe(200);
    expect(pool.take(1000)?.bytes).toBe(400);
    expect(pool.bytes).toBe(350);
    await pool.clear();
    // The taken files now belong to their takers; the two left in the pool are deleted.
    expect((await readdir(dir)).sort()).toEqual(['free-2.spill', 'free-3.spill']);
    expect(pool.take(1)).toBeUndefined();
  });

  it('lets a spill overwrite a larger pooled file in place, cut to size, reading back bit-exact', async () => {
    const pool = new SpillFilePool({ directory: dir, io: nodeSpillIo });
    pool.retire(await fileOf('r1.spill', 64 * 1024), 64 * 1024);
    await settle();
    const pixels = new Float32Array(1000).map((_, i) => i * 0.5 - 3);
    const info = await writeSpillFile(nodeSpillIo, join(dir, 'r2.spill'), encode(pixels), { ref: 'r2' }, pool.take(4000));
    expect(await readdir(dir)).toEqual(['r2.spill']);
    expect((await stat(info.file)).size).toBe(info.fileBytes);
    const { skeleton, buffers } = await readSpillFile(nodeSpillIo, info, { ref: 'r2' });
    expect(decodeFromSpill(skeleton, buffers, [])).toEqual(pixels);
  });

  it('writes a new file when the pooled file has vanished', async () => {
    const pool = new SpillFilePool({ directory: dir, io: nodeSpillIo });
    pool.retire(await fileOf('r1.spill', 100), 100);
    await settle();
    const taken = pool.take(100);
    await rm(taken?.file ?? '');
    const info = await writeSpillFile(nodeSpillIo, join(dir, 'r2.spill'), encode(new Uint8Array([1, 2, 3])), { ref: 'r2' }, taken);
    expect(await readdir(dir)).toEqual(['r2.spill']);
    expect(decodeFromSpill(...Object.values(await readSpillFile(nodeSpillIo, info, { ref: 'r2' })) as [Uint8Array, ArrayBuffer[]], [])).toEqual(new Uint8Array([1, 2, 3]));
  });
});
