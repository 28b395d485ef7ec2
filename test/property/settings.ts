import type fc from 'fast-check';

/** True under `npm run test:soak`: many more cases, random seeds. */
export const soak = process.env.SKYLOOM_SOAK === '1';

/**
 * fast-check parameters for one property: a pinned seed and a small budget in CI, a random seed and
 * a large budget when soaking. `SKYLOOM_PROPERTY_SEED` replays a seed. The seed is always printed.
 */
export function propertyParameters<T>(name: string, budget: { ci: number; soak: number; pinnedSeed: number }): fc.Parameters<T> {
  const replay = process.env.SKYLOOM_PROPERTY_SEED;
  const seed = replay !== undefined ? Number(replay) : soak ? (Date.now() ^ (Math.random() * 2 ** 31)) | 0 : budget.pinnedSeed;
  const numRuns = soak ? budget.soak : budget.ci;
  console.log(`[property] ${name}: seed=${seed} numRuns=${numRuns}${soak ? ' (soak)' : ''}`);
  return { seed, numRuns, endOnFailure: false };
}

/** Per-test timeout: soak budgets run for many minutes. */
export const propertyTimeout = { timeout: soak ? 3_600_000 : 180_000 };
