import { createHash } from 'node:crypto';
// The generator's own module: the package's index loads every generator and distribution (~20 ms in
// a fresh worker thread, measured on each host's start).
import { xoroshiro128plus } from 'pure-rand/generator/XoroShiro';

/**
 * A `random()` seeded from the run seed and the unit path, so a unit draws the same numbers on every
 * runner and in every thread. pure-rand supplies the generator; node:crypto mixes seed and path.
 */
export function seededRandom(seed: number, path: string): () => number {
  // Seeded on the first draw: most units never draw, and hashing a path costs a few µs per unit.
  let draw: (() => number) | undefined;
  return () => (draw ??= generator(seed, path))();
}

function generator(seed: number, path: string): () => number {
  const digest = createHash('sha256').update(`${seed}\u0000${path}`).digest();
  const rng = xoroshiro128plus(digest.readInt32LE(0));
  // Burn in a little so that nearby seeds diverge.
  for (let i = 0; i < 4; i++) rng.unsafeNext();
  return () => {
    const hi = (rng.unsafeNext() >>> 0) >>> 5; // 27 bits
    const lo = (rng.unsafeNext() >>> 0) >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  };
}
