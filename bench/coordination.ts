/**
 * bench/coordination: skyloom's cost per unit step when units are many and their steps short. The
 * focal-plane workload (bench/workload) at 64×64 pixels with N = 32, 1,024 and 10,000 sensors, 8
 * rounds, on the inline runner against a hand-written serial loop and on the cluster runner (2
 * workers) against hand-written worker_threads (bench/cluster/raw-baseline.ts), all in this one
 * process. Prints per unit-round cost (wall time / (N × rounds)) and the ratios; every output is
 * checked bit-identical to the serial loop's.
 *
 *   npm run bench:coordination [-- --sizes 32,1024,10000 --size 64 --rounds 8 --repeats 5 --workers 2]
 *
 * `npm run bench:coordination` runs it compiled (bench/compiled.mjs: why not under tsx). Each side
 * and its baseline alternate `repeats` times after one unmeasured warm-up pair; times are the best
 * of the runs, and the ratio is the median of the pairs' ratios (one burst of load on this shared
 * 2-core machine cannot move it). Wall times include making the images and the final checksums on
 * both sides, and starting the threads on the cluster side and its baseline. Targets (issue #20):
 * N=1024 inline <= 1.5x serial and cluster <= 1.5x hand-written workers; N=10,000 <= 20 us per
 * unit-round inline. The load average is printed with every figure.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { run, tuneMalloc, type Runner } from '../lib/index.ts';
import { clusterRunner, inlineRunner } from '../runners/index.ts';
import { runRawBaseline } from './cluster/raw-baseline.ts';
import { serialLoop, type FocalPlaneOutput } from './coordination-serial.ts';
import { focalPlane, type FocalPlaneParams } from './workload/focal-plane.ts';

// Applications opt in to malloc tuning (importing skyloom never does); both sides of every ratio run with it.
tuneMalloc();

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '32,1024,10000' },
    size: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '8' },
    repeats: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    only: { type: 'string', default: 'inline,cluster' },
  },
});
const workers = Number(args.workers);
const repeats = Number(args.repeats);
const sides = new Set(args.only.split(','));
type Output = FocalPlaneOutput;

const viaRunner = (runner: () => Runner, p: FocalPlaneParams) => async (): Promise<Output> => (await run(focalPlane, p, { runner: runner(), verify: false })).output as Output;
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

interface Pairing {
  readonly ours: number;
  readonly theirs: number;
  readonly ratio: number;
  readonly identical: boolean;
}

/** Alternates `ours` and `theirs` `repeats` times after a warm-up pair; best times and the median ratio. */
async function pair(ours: () => Promise<Output> | Output, theirs: () => Promise<Output> | Output, reference: string): Promise<Pairing> {
  await ours();
  await theirs();
  const runs: { ours: number; theirs: number }[] = [];
  let identical = true;
  for (let r = 0; r < repeats; r++) {
    let t0 = performance.now();
    const a = await ours();
    const tOurs = performance.now() - t0;
    t0 = performance.now();
    const b = await theirs();
    runs.push({ ours: tOurs, theirs: performance.now() - t0 });
    identical &&= JSON.stringify(a) === reference && JSON.stringify(b) === reference;
  }
  return { ours: Math.min(...runs.map((r) => r.ours)), theirs: Math.min(...runs.map((r) => r.theirs)), ratio: median(runs.map((r) => r.ours / r.theirs)), identical };
}

const us = (ms: number, p: FocalPlaneParams): string => `${((ms * 1000) / (p.sensors * p.rounds)).toFixed(1).padStart(6)} us`;

const summary: string[] = [];
let allIdentical = true;
console.log(`bench/coordination — focal plane at ${args.size}x${args.size}, ${args.rounds} rounds, ${repeats} pairs each; shared 2-core machine, load average ${load()}`);
for (const sensors of args.sizes.split(',').map(Number)) {
  const p: FocalPlaneParams = { sensors, width: Number(args.size), height: Number(args.size), rounds: Number(args.rounds), cpuPasses: 1 };
  const reference = JSON.stringify(serialLoop(p));
  console.log(`\nN = ${sensors}   (per unit-round = wall / (N x rounds))`);
  const report = (label: string, baseline: string, r: Pairing): void => {
    allIdentical &&= r.identical;
    console.log(`  ${label.padEnd(26)} ${r.ours.toFixed(1).padStart(8)} ms ${us(r.ours, p)}/unit-round`);
    console.log(`  ${baseline.padEnd(26)} ${r.theirs.toFixed(1).padStart(8)} ms ${us(r.theirs, p)}/unit-round`);
    const line = `N=${sensors} ${label}: ${r.ratio.toFixed(2)}x ${baseline} (median of ${repeats} pairs), ${us(r.ours, p).trim()}/unit-round vs ${us(r.theirs, p).trim()}; outputs identical: ${r.identical}; load ${load()}`;
    console.log(`  -> ${line}`);
    summary.push(line);
  };
  if (sides.has('inline')) report('skyloom inline', 'serial loop', await pair(viaRunner(() => inlineRunner(), p), () => serialLoop(p), reference));
  if (sides.has('cluster')) {
    report(`skyloom cluster (${workers})`, `raw worker_threads (${workers})`, await pair(viaRunner(() => clusterRunner({ workers }), p), () => runRawBaseline(p, workers), reference));
  }
}
console.log(`\nsummary (targets: N=1024 inline <= 1.5x serial, cluster <= 1.5x raw workers; N=10000 inline <= 20 us/unit-round)`);
for (const line of summary) console.log(`  ${line}`);
console.log(`outputs identical: ${allIdentical}; load average at the end ${load()}`);
if (!allIdentical) process.exitCode = 1;
