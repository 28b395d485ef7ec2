/**
 * An algorithm that does nothing but place one member on each cluster worker, so the baseline probe
 * (`loaded-process.ts`) can count what idle workers with skyloom and the algorithms loaded cost.
 * Side-effect free apart from loading the algorithms, as a worker loads them for a real run.
 */
import { algorithm, scatter } from '../../lib/index.ts';
import '../../algorithms/index.ts';

export const idleMember = algorithm(import.meta.url, async function* idleMember(_ctx, index: number) {
  return index;
});

export const idleRoot = algorithm(import.meta.url, async function* idleRoot(_ctx, members: number) {
  return yield* scatter(
    idleMember,
    Array.from({ length: members }, (_, i) => i),
  );
});
