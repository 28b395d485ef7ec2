import fc from 'fast-check';
import { programArb, defaultShape } from './program-arb.ts';
import { observe } from './observe.ts';
import { inlineRunner } from '../../runners/index.ts';
import { start } from '../../lib/index.ts';
import { interpret } from './interpreter.ts';
const samples = fc.sample(programArb(defaultShape), { numRuns: 200, seed: 5 });
const ratios: number[] = [];
for (const p of samples) {
  try {
    const r = await start(interpret, { program: p, acc: 7, refs: [] }, { runner: inlineRunner(), verify: false }).result;
    ratios.push(r.stats.peakStoreBytes / (defaultShape.maxArrayLength * 8));
  } catch { ratios.push(-1); }
}
ratios.sort((a, b) => a - b);
console.log([0.1, 0.25, 0.5, 0.75, 0.9].map((q) => ratios[Math.floor(q * ratios.length)]!.toFixed(2)));
process.exit(0);
