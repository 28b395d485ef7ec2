/**
 * Deterministic random streams for the synthetic data. The data's truth must not depend on the runner
 * or on which unit asks for it, so streams are seeded by a hash of (run seed, visit, sensor, ...) and
 * never by `ctx.random` (which is keyed by unit path). Uses pure-rand's xoroshiro128+.
 *
 * Not cryptographic; not for anything but synthetic data.
 */
import { xoroshiro128plus } from 'pure-rand';

/** A 32-bit hash of a list of integers (murmur3-style mixing). Never throws. */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    let k = Math.imul(part | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export interface RandomStream {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number;
}

export function randomStream(seed: number): RandomStream {
  const generator = xoroshiro128plus(seed);
  let spare: number | undefined;
  const uniform = (): number => (generator.unsafeNext() >>> 0) / 4294967296;
  return {
    uniform,
    normal(): number {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      const u = 1 - uniform(); // in (0, 1]: log(u) is finite
      const r = Math.sqrt(-2 * Math.log(u));
      const phi = 2 * Math.PI * uniform();
      spare = r * Math.sin(phi);
      return r * Math.cos(phi);
    },
  };
}
