import { crc32 } from './crc32.ts';

/**
 * The checksum a spill file is read back against. Two kinds:
 *
 * - `full`: CRC-32 (`crc32.ts`) of every byte. Verify mode uses it: any change to the file, down to one
 *   bit, fails the read back.
 * - `sampled`: CRC-32 of every section under 64 KiB (the header, the skeleton, small buffers) and, of
 *   each larger buffer, its length and one 32-bit word from every 4 KiB page (at an offset that moves
 *   from page to page) plus its last word. The default outside verify mode: a file cut short, missing,
 *   replaced, zeroed, shifted, or holding another file's or stale pages fails the read back; a change of
 *   a few bytes inside a page may not. Why: checksumming every byte twice (out and back) was the largest
 *   cost of a spilling run after the I/O itself — on this project's 2-core machine, CRC-32 at ~3.6-7
 *   GiB/s on cold memory cost ~1.6 s of `bench/laptop`'s ~6 s inline time — while the bytes it guards
 *   are the process's own, in the page cache (RAM, as exposed as a resident value) or on a disk whose
 *   own checks report read errors.
 *
 * Does not cover detecting a value changed in place while it was written: the writer re-checks for
 * that with the `full` kind (verify mode). Never throws.
 */
export type SpillChecksumKind = 'full' | 'sampled';

const sampledFrom = 64 * 1024;
const page = 4096;

/** The checksum of `parts` in order, of `kind`. */
export function spillChecksum(parts: readonly Uint8Array[], kind: SpillChecksumKind): number {
  let sum = 0;
  for (const part of parts) sum = kind === 'sampled' && part.byteLength >= sampledFrom ? sampledCrc(part, sum) : crc32(part, sum);
  return sum;
}

/** CRC-32 of the part's length, one word of each page and its last word, continuing from `initial`. */
function sampledCrc(part: Uint8Array, initial: number): number {
  const view = new DataView(part.buffer, part.byteOffset, part.byteLength);
  const pages = Math.ceil(part.byteLength / page);
  const samples = new Uint32Array(pages + 2);
  samples[0] = part.byteLength;
  const last = part.byteLength - 4;
  for (let p = 0; p < pages; p++) {
    const offset = p * page + ((Math.imul(p, 0x9e3779b1) >>> 20) & (page - 4)); // a 4-byte-aligned spot that moves from page to page
    samples[p + 1] = view.getUint32(Math.min(offset, last), true);
  }
  samples[pages + 1] = view.getUint32(last, true);
  return crc32(new Uint8Array(samples.buffer), initial);
}
