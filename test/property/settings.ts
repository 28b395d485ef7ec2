import fc from 'fast-check';
import { programSize, type Program } from './program.ts';

/** True under `npm run test:soak`: many more cases, random seeds. */
export const soak = process.env.SKYLOOM_SOAK === '1';

/**
 * fast-check parameters for one property: a pinned seed and a small budget in CI, a random seed and
 * a large budget when soaking. `SKYLOOM_PROPERTY_SEED` replays a seed. The seed is always printed.
 */
export function propertyParameters<T>(name: string, budget: { ci: number; soak: number; pinnedSeed: number }): fc.Parameters<T> {
  const replay = process.env.SKYLOOM_PROPERTY_SEED;
  const seed = replay !== undefined && replay !== '' ? Number(replay) : soak ? (Date.now() ^ (Math.random() * 2 ** 31)) | 0 : budget.pinnedSeed;
  const numRuns = soak ? budget.soak : budget.ci;
  console.log(`[property] ${name}: seed=${seed} numRuns=${numRuns}${soak ? ' (soak)' : ''}`);
  return { seed, numRuns, endOnFailure: false };
}

/** Per-test timeout: soak budgets run for many minutes; shrinking a cluster counterexample (a worker pool per case) takes minutes too. */
export const propertyTimeout = { timeout: soak ? 3_600_000 : 600_000 };

/**
 * `fc.assert` for one property, printing the shrunk counterexample's size (in instructions, when its
 * first value is a program) as `[counterexample] name: N instructions`, the line the mutant catalogue
 * (`npm run test:mutants`) reads to report how small each planted bug's counterexample shrinks.
 */
export async function assertProperty<T extends [unknown, ...unknown[]]>(name: string, property: fc.IAsyncProperty<T>, budget: { ci: number; soak: number; pinnedSeed: number }): Promise<void> {
  const details = await fc.check(property, propertyParameters<T>(name, budget));
  if (!details.failed) return;
  const first = details.counterexample?.[0];
  const size = Array.isArray(first) ? programSize(first as Program) : 0;
  console.log(`[counterexample] ${name}: ${size} instructions after ${details.numShrinks} shrinks: ${JSON.stringify(first)?.slice(0, 2000)}`);
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`${fc.defaultReportMessage(details) ?? `${name} failed`}\n${cause}`);
}
