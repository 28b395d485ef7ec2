// Trivial algorithms for the cluster benchmark's overhead figures: they do no work, so their wall
// time is skyloom's cost of a scatter child and of a gather member. Exported for worker hosts.
import { algorithm, gather, scatter } from '../../lib/index.ts';

export const idleChild = algorithm(import.meta.url, async function* idleChild(_ctx, gathers: number) {
  for (let g = 0; g < gathers; g++) yield* gather(g, (xs: readonly number[]) => xs.length);
  return 0;
});

export const idleRoot = algorithm(import.meta.url, async function* idleRoot(_ctx, p: { children: number; gathers: number }) {
  return (yield* scatter(idleChild, Array.from({ length: p.children }, () => p.gathers))).length;
});
