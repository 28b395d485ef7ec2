import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFromSpill, encodeForSpill, type EncodedValue } from '../../../lib/memory/spill-codec.ts';
import { nodeSpillIo, openTempFile, readSpillFile, writeSpillFile, type SpillFileInfo, type SpillIo, type WrittenSpillFile } from '../../../lib/memory/spill-file.ts';
import { makeRef } from '../../../lib/ref.ts';
import { useTempDir } from '../../fixtures/temp-dir.ts';

const tempDir = useTempDir('spill-file');

function encode(value: unknown): EncodedValue {
  const result = encodeForSpill(value);
  if (!result.ok) throw new Error(result.reason);
  return result.encoded;
}

/** How the store writes outside verify mode: not synced, a sampled checksum taken once. */
const unsynced = { sync: false, verify: false };
/** How it writes files kept after the run, in verify mode. */
const synced = { sync: true, verify: true };

/** Writes through a fresh temp file and finishes it, as the store does (in the background there). */
async function writeFinished(io: SpillIo, file: string, encoded: EncodedValue, owner: { ref: string }): Promise<SpillFileInfo> {
  const written = await writeSpillFile(io, await openTempFile(io, `${file}.tmp`, owner), file, encoded, owner, unsynced);
  await written.finish();
  await written.handle.close();
  return written.info;
}

function sample(): unknown {
  const pixels = new Float32Array([1.5, -0, NaN, Infinity, 3.25e-38, 7]);
  const shared = new Uint8Array(13).map((_, i) => i * 19);
  return {
    pixels,
    tail: pixels.subarray(2, 5),
    odd: shared.subarray(3),
    doubles: new Float64Array([Math.PI, -Number.MAX_VALUE]),
    mask: new Map<string, unknown>([['bad', new Set([1, 2])], ['when', new Date(0)]]),
    ref: makeRef('r7', 24),
    meta: { n: -0, big: 12345678901234567890n, missing: undefined, list: [1, , 3] },
  };
}

describe('spill files', () => {
  it('round-trips a value bit-exact: typed arrays, shared buffers, offsets, Maps, Sets, -0, NaN, bigint', async () => {
    const value = sample() as { pixels: Float32Array; tail: Float32Array; ref: object };
    const encoded = encode(value);
    const info = await writeFinished(nodeSpillIo, join(tempDir(), 'a.spill'), encoded, { ref: 'r1' });
    const { skeleton, buffers } = await readSpillFile(nodeSpillIo, info, { ref: 'r1' });
    const back = decodeFromSpill(skeleton, buffers, encoded.refs) as typeof value;
    expect(back).toStrictEqual(value);
    expect(Buffer.from(back.pixels.buffer).equals(Buffer.from(value.pixels.buffer))).toBe(true); // NaN/-0 bit patterns too
    expect(back.tail.buffer).toBe(back.pixels.buffer);
    expect(back.tail.byteOffset).toBe(value.tail.byteOffset);
    expect(back.ref).toBe(value.ref); // the original handle, by identity
    expect(Object.isFrozen(back) && Object.isFrozen(back.ref)).toBe(true);
    expect(await readdir(tempDir())).toEqual(['a.spill']); // the temp file was renamed
  });

  it('detects a flipped byte with SKY_SPILL_CORRUPT naming the ref and the file', async () => {
    const info = await writeFinished(nodeSpillIo, join(tempDir(), 'b.spill'), encode(new Float32Array(1000).fill(2)), { ref: 'r2' });
    const bytes = await readFile(info.file);
    bytes.writeUInt8((bytes.readUInt8(bytes.length - 100) ^ 0x10) & 0xff, bytes.length - 100);
    await writeFile(info.file, bytes);
    await expect(readSpillFile(nodeSpillIo, info, { ref: 'r2', unitPath: 'root/s:3' })).rejects.toMatchObject({
      code: 'SKY_SPILL_CORRUPT',
      ref: 'r2',
      unitPath: 'root/s:3',
      message: expect.stringContaining(info.file),
    });
  });

  it('outside verify mode detects a page of a large buffer changed on disk (the sampled checksum) with SKY_SPILL_CORRUPT', async () => {
    const info = await writeFinished(nodeSpillIo, join(tempDir(), 'p.spill'), encode(new Float32Array(64 * 1024).map((_, i) => i)), { ref: 'r9' });
    expect(info.checksumKind).toBe('sampled');
    const bytes = await readFile(info.file);
    bytes.fill(0, 40 * 4096, 41 * 4096);
    await writeFile(info.file, bytes);
    await expect(readSpillFile(nodeSpillIo, info, { ref: 'r9' })).rejects.toMatchObject({ code: 'SKY_SPILL_CORRUPT', ref: 'r9' });
  });

  it('detects a truncated file and a missing file', async () => {
    const info = await writeFinished(nodeSpillIo, join(tempDir(), 'c.spill'), encode(new Uint8Array(5000).fill(9)), { ref: 'r3' });
    await truncate(info.file, 3000);
    await expect(readSpillFile(nodeSpillIo, info, { ref: 'r3' })).rejects.toMatchObject({ code: 'SKY_SPILL_CORRUPT', ref: 'r3' });
    await rm(info.file);
    await expect(readSpillFile(nodeSpillIo, info, { ref: 'r3' })).rejects.toMatchObject({
      code: 'SKY_SPILL_MISSING',
      message: expect.stringMatching(/spill file .*c\.spill of ref r3 is missing/),
    });
  });

  it('reports a full disk as SKY_SPILL_WRITE with the cause kept, and leaves no temp file', async () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const fullDisk: SpillIo = {
      ...nodeSpillIo,
      open: async (path, flags) => {
        const handle = await nodeSpillIo.open(path, flags);
        return { ...handle, readv: handle.readv.bind(handle), sync: handle.sync.bind(handle), datasync: handle.datasync.bind(handle), truncate: handle.truncate.bind(handle), close: handle.close.bind(handle), writev: () => Promise.reject(enospc) };
      },
    };
    const error = await writeFinished(fullDisk, join(tempDir(), 'd.spill'), encode(new Uint8Array(64)), { ref: 'r4' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SKY_SPILL_WRITE', ref: 'r4', cause: enospc, message: expect.stringContaining('ENOSPC') });
    expect(await readdir(tempDir())).toEqual([]);
  });

  it('refuses values that would not come back the same (class instances, functions, SharedArrayBuffers)', () => {
    class Psf {}
    expect(encodeForSpill({ psf: new Psf() })).toMatchObject({ ok: false, reason: expect.stringContaining('Psf at value.psf') });
    expect(encodeForSpill([() => 1])).toMatchObject({ ok: false, reason: expect.stringContaining('function') });
    expect(encodeForSpill(new Uint8Array(new SharedArrayBuffer(4)))).toMatchObject({ ok: false });
  });
});

describe('spill file round trips', () => {
  it('writes with one writev, readable at once through its handle; the finish task cuts, syncs and renames; a read is one readv', async () => {
    const calls: string[] = [];
    const counting: SpillIo = {
      open: async (path, flags) => {
        calls.push(`open ${flags}`);
        const h = await nodeSpillIo.open(path, flags);
        const log =
          <A extends unknown[], R>(name: string, f: (...args: A) => Promise<R>) =>
          (...args: A): Promise<R> => {
            calls.push(name);
            return f(...args);
          };
        return {
          writev: log('writev', h.writev.bind(h)),
          readv: log('readv', h.readv.bind(h)),
          sync: log('sync', h.sync.bind(h)),
          datasync: log('datasync', h.datasync.bind(h)),
          truncate: log('truncate', h.truncate.bind(h)),
          close: log('close', h.close.bind(h)),
        };
      },
      rename: async (from, to) => {
        calls.push('rename');
        return nodeSpillIo.rename(from, to);
      },
      unlink: nodeSpillIo.unlink,
    };
    const file = join(tempDir(), 'e.spill');
    // A larger file to overwrite, as a pooled one is: it is cut to size by the finish task.
    const target = await openTempFile(counting, `${file}.tmp`, { ref: 'r5' });
    await target.handle.writev([new Uint8Array(64 * 1024)], 0);
    calls.length = 0;
    const written: WrittenSpillFile = await writeSpillFile(counting, { ...target, bytes: 64 * 1024 }, file, encode(sample()), { ref: 'r5' }, synced);
    expect(calls).toEqual(['writev']);
    expect(await readdir(tempDir())).toEqual(['e.spill.tmp']); // not under its final name before it is finished
    calls.length = 0;
    const early = await readSpillFile(counting, written.info, { ref: 'r5' }, written.handle);
    expect(calls).toEqual(['readv']);
    expect(decodeFromSpill(early.skeleton, early.buffers, [])).toMatchObject({ meta: { big: 12345678901234567890n } });
    calls.length = 0;
    await written.finish();
    expect(calls).toEqual(['truncate', 'datasync', 'rename']);
    expect(await readdir(tempDir())).toEqual(['e.spill']);
    expect((await readFile(file)).byteLength).toBe(written.info.fileBytes);
    await written.handle.close();
  });

  it('finishes a file that is not kept without syncing it: cut to size and renamed only', async () => {
    const calls: string[] = [];
    const io: SpillIo = {
      ...nodeSpillIo,
      open: async (path, flags) => {
        const h = await nodeSpillIo.open(path, flags);
        const log = (name: string) => (): Promise<void> => Promise.reject(new Error(`${name} called`));
        return {
          writev: h.writev.bind(h),
          readv: h.readv.bind(h),
          sync: log('sync'),
          datasync: log('datasync'),
          truncate: (n: number) => (calls.push('truncate'), h.truncate(n)),
          close: h.close.bind(h),
        };
      },
      rename: (from, to) => (calls.push('rename'), nodeSpillIo.rename(from, to)),
    };
    const file = join(tempDir(), 'g.spill');
    const target = await openTempFile(io, `${file}.tmp`, { ref: 'r8' });
    await target.handle.writev([new Uint8Array(64 * 1024)], 0);
    const written = await writeSpillFile(io, { ...target, bytes: 64 * 1024 }, file, encode(sample()), { ref: 'r8' }, unsynced);
    await written.finish();
    expect(calls).toEqual(['truncate', 'rename']);
    const back = await readSpillFile(io, written.info, { ref: 'r8' });
    expect(decodeFromSpill(back.skeleton, back.buffers, [])).toMatchObject({ meta: { big: 12345678901234567890n } });
    await written.handle.close();
  });

  it('reports a failed sync as SKY_SPILL_WRITE from the finish task, and leaves the file unrenamed', async () => {
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const failing: SpillIo = {
      ...nodeSpillIo,
      open: async (path, flags) => {
        const h = await nodeSpillIo.open(path, flags);
        return { writev: h.writev.bind(h), readv: h.readv.bind(h), sync: h.sync.bind(h), datasync: () => Promise.reject(eio), truncate: h.truncate.bind(h), close: h.close.bind(h) };
      },
    };
    const file = join(tempDir(), 'f.spill');
    const written = await writeSpillFile(failing, await openTempFile(failing, `${file}.tmp`, { ref: 'r6' }), file, encode(new Uint8Array(8)), { ref: 'r6' }, synced);
    await expect(written.finish()).rejects.toMatchObject({ code: 'SKY_SPILL_WRITE', ref: 'r6', cause: eio });
    expect(await readdir(tempDir())).toEqual(['f.spill.tmp']);
    await written.handle.close();
  });
});
