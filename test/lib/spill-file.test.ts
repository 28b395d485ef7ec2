import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeFromSpill, encodeForSpill, type EncodedValue } from '../../lib/spill-codec.ts';
import { nodeSpillIo, readSpillFile, writeSpillFile, type SpillIo } from '../../lib/spill-file.ts';
import { makeRef } from '../../lib/ref.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skyloom-spill-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function encode(value: unknown): EncodedValue {
  const result = encodeForSpill(value);
  if (!result.ok) throw new Error(result.reason);
  return result.encoded;
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
    const info = await writeSpillFile(nodeSpillIo, join(dir, 'a.spill'), encoded, { ref: 'r1' });
    const { skeleton, buffers } = await readSpillFile(nodeSpillIo, info, { ref: 'r1' });
    const back = decodeFromSpill(skeleton, buffers, encoded.refs) as typeof value;
    expect(back).toStrictEqual(value);
    expect(Buffer.from(back.pixels.buffer).equals(Buffer.from(value.pixels.buffer))).toBe(true); // NaN/-0 bit patterns too
    expect(back.tail.buffer).toBe(back.pixels.buffer);
    expect(back.tail.byteOffset).toBe(value.tail.byteOffset);
    expect(back.ref).toBe(value.ref); // the original handle, by identity
    expect(Object.isFrozen(back) && Object.isFrozen(back.ref)).toBe(true);
    expect(await readdir(dir)).toEqual(['a.spill']); // the temp file was renamed
  });

  it('detects a flipped byte with SKY_SPILL_CORRUPT naming the ref and the file', async () => {
    const info = await writeSpillFile(nodeSpillIo, join(dir, 'b.spill'), encode(new Float32Array(1000).fill(2)), { ref: 'r2' });
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

  it('detects a truncated file and a missing file', async () => {
    const info = await writeSpillFile(nodeSpillIo, join(dir, 'c.spill'), encode(new Uint8Array(5000).fill(9)), { ref: 'r3' });
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
        return { ...handle, readv: handle.readv.bind(handle), sync: handle.sync.bind(handle), truncate: handle.truncate.bind(handle), close: handle.close.bind(handle), writev: () => Promise.reject(enospc) };
      },
    };
    const error = await writeSpillFile(fullDisk, join(dir, 'd.spill'), encode(new Uint8Array(64)), { ref: 'r4' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SKY_SPILL_WRITE', ref: 'r4', cause: enospc, message: expect.stringContaining('ENOSPC') });
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses values that would not come back the same (class instances, functions, SharedArrayBuffers)', () => {
    class Psf {}
    expect(encodeForSpill({ psf: new Psf() })).toMatchObject({ ok: false, reason: expect.stringContaining('Psf at value.psf') });
    expect(encodeForSpill([() => 1])).toMatchObject({ ok: false, reason: expect.stringContaining('function') });
    expect(encodeForSpill(new Uint8Array(new SharedArrayBuffer(4)))).toMatchObject({ ok: false });
  });
});

describe('spill file round trips', () => {
  it('writes with open, one writev (durable by O_DSYNC), close and rename; reads with open, one readv and close', async () => {
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
        return { writev: log('writev', h.writev.bind(h)), readv: log('readv', h.readv.bind(h)), sync: log('sync', h.sync.bind(h)), truncate: log('truncate', h.truncate.bind(h)), close: log('close', h.close.bind(h)) };
      },
      rename: async (from, to) => {
        calls.push('rename');
        return nodeSpillIo.rename(from, to);
      },
      unlink: nodeSpillIo.unlink,
    };
    const info = await writeSpillFile(counting, join(dir, 'e.spill'), encode(sample()), { ref: 'r5' });
    expect(calls.sort()).toEqual(['close', 'open w', 'rename', 'writev']);
    calls.length = 0;
    await readSpillFile(counting, info, { ref: 'r5' });
    await new Promise((r) => setTimeout(r, 10)); // the close is not waited for
    expect(calls).toEqual(['open r', 'readv', 'close']);
  });
});
