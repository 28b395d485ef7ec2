import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../lib/memory/crc32.ts';
import { spillChecksum } from '../../../lib/memory/spill-checksum.ts';

const KiB = 1024;
/** A buffer of distinct-looking pages, large enough to be sampled. */
const bigBuffer = (): Uint8Array => new Uint8Array(256 * KiB).map((_, i) => (i * 131 + (i >> 12) * 7) & 255);
const header = (): Uint8Array => new Uint8Array(40).map((_, i) => i + 1);
/** The sampled checksum of a header and a big buffer after `change` was made to a copy of the buffer. */
const sampledAfter = (change: (bytes: Uint8Array) => Uint8Array): number => spillChecksum([header(), change(bigBuffer())], 'sampled');

describe('spill checksums', () => {
  it('full is CRC-32 of every byte, whatever the sizes of the sections', () => {
    const parts = [header(), bigBuffer(), new Uint8Array([1, 2, 3])];
    expect(spillChecksum(parts, 'full')).toBe(crc32(Buffer.concat(parts)));
  });

  it('full changes when any one byte of a large buffer changes (fast-check, seed printed and pinned)', () => {
    const seed = 20261207;
    console.log(`spill-checksum property seed: ${seed}`);
    const base = spillChecksum([header(), bigBuffer()], 'full');
    fc.assert(
      fc.property(fc.nat(256 * KiB - 1), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const bytes = bigBuffer();
        bytes[at] = (bytes[at] as number) ^ flip;
        return spillChecksum([header(), bytes], 'full') !== base;
      }),
      { seed, numRuns: 200 },
    );
  });

  it('sampled catches a page zeroed, replaced by another page, a shifted buffer, a changed last byte, and any change to a small section', () => {
    const base = sampledAfter((b) => b);
    const page = 4 * KiB;
    for (const p of [0, 17, 63]) expect(sampledAfter((b) => (b.fill(0, p * page, (p + 1) * page), b)), `page ${p} zeroed`).not.toBe(base);
    expect(sampledAfter((b) => (b.copyWithin(5 * page, 9 * page, 10 * page), b)), 'page 5 holds page 9').not.toBe(base);
    expect(sampledAfter((b) => (b.copyWithin(0, 8), b)), 'shifted by 8 bytes').not.toBe(base);
    expect(sampledAfter((b) => ((b[b.length - 1] = (b[b.length - 1] as number) ^ 1), b)), 'last byte').not.toBe(base);
    const smallChanged = header();
    smallChanged[20] = (smallChanged[20] as number) ^ 4;
    expect(spillChecksum([smallChanged, bigBuffer()], 'sampled')).not.toBe(base);
    expect(spillChecksum([header(), bigBuffer().subarray(0, 252 * KiB)], 'sampled'), 'a shorter buffer').not.toBe(base);
  });

  it('sampled does not see a one-byte change away from its sampled words: the documented price of reading one word a page', () => {
    const base = sampledAfter((b) => b);
    const unseen = Array.from({ length: 64 }, (_, p) => p * 4096 + 1).filter((at) => sampledAfter((b) => ((b[at] = (b[at] as number) ^ 1), b)) === base);
    expect(unseen.length).toBeGreaterThan(48); // most single-byte changes go unseen (a few hit a sampled word)
  });
});
