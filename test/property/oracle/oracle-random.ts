import { createHash } from 'node:crypto';
import { xoroshiro128plus } from 'pure-rand';

/**
 * The documented rule for `ctx.random()` (design brief: seeded from the run seed and the unit path),
 * written out again here so the oracle imports nothing of skyloom: SHA-256 of `seed \0 path`, its
 * first 32-bit word (little endian) seeds pure-rand's xoroshiro128plus, four draws are burnt, and each
 * number is built from 27 + 26 high bits of two draws.
 */
export function oracleRandom(seed: number, path: string): () => number {
  const digest = createHash('sha256').update(`${seed}\u0000${path}`).digest();
  const rng = xoroshiro128plus(digest.readInt32LE(0));
  for (let burn = 0; burn < 4; burn++) rng.unsafeNext();
  return () => {
    const high = (rng.unsafeNext() >>> 0) >>> 5;
    const low = (rng.unsafeNext() >>> 0) >>> 6;
    return (high * 2 ** 26 + low) / 2 ** 53;
  };
}
