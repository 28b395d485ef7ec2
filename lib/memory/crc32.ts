import { createRequire } from 'node:module';
import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * CRC-32 (the IEEE polynomial of zlib and gzip), continuing from `initial`. Uses `@node-rs/crc32`
 * (Rust's crc32fast, PCLMUL: ~15 GB/s here) when its prebuilt binary loads for this platform, else
 * node's `zlib.crc32` (~6.5 GB/s). Both give the same value, so spill files do not depend on which
 * one wrote them. Why it matters: a laptop run checksums every spilled byte twice (out and back) on
 * its one thread, 8 GiB in `bench/laptop`; zlib's took 1.3 s of that run, this one about 0.5 s.
 * Never throws.
 */
export const crc32: (data: Uint8Array, initial?: number) => number = loadFastCrc32() ?? zlibCrc32;

function loadFastCrc32(): ((data: Uint8Array, initial?: number) => number) | undefined {
  try {
    const fast = (createRequire(import.meta.url)('@node-rs/crc32') as { crc32: (data: Uint8Array, initial?: number) => number }).crc32;
    const probe = new Uint8Array([1, 2, 3, 250]);
    return fast(probe) === zlibCrc32(probe) && fast(probe.subarray(2), fast(probe.subarray(0, 2))) === zlibCrc32(probe) ? fast : undefined;
  } catch {
    return undefined; // no binary for this platform: zlib's is correct, only slower
  }
}
