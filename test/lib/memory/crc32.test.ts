import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../lib/memory/crc32.ts';

describe('crc32', () => {
  it('gives zlib\'s CRC-32, whole and continued part by part, so spill files do not depend on the implementation', () => {
    const bytes = new Uint8Array(100_003).map((_, i) => (i * 131 + (i >> 7)) & 255);
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    expect(crc32(bytes.subarray(40_000), crc32(bytes.subarray(0, 40_000)))).toBe(zlibCrc32(bytes));
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('uses the fast implementation on this machine (linux x64 has a prebuilt binary)', () => {
    expect(crc32).not.toBe(zlibCrc32);
  });
});
