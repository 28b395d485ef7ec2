/**
 * bench/cluster: the focal-plane workload (same generator and checksums as bench/laptop) on the
 * inline runner, on the cluster runner with 2 workers, and written by hand with raw worker_threads
 * (owner computes), all in this one process; then a CPU-bound variant; then skyloom's per-child
 * scatter and per-member gather overheads. Every output is checked bit-identical to inline's.
 *
 *   npm run bench:cluster [-- --sensors 32 --size 2048 --rounds 8 --cpu-passes 8 --repeats 2]
 *
 * Defaults are bench/laptop's focal-plane workload (`focalPlaneDefaults`: 32 sensors of 2048×2048,
 * 8 rounds); the CPU-bound variant runs half the rounds with `cpuPasses` 8. The whole bench takes
 * about a minute on 2 cores. Wall times include starting the worker threads (both skyloom's and the
 * hand-written ones load the .ts workload through tsx). Each figure is the best of `repeats` runs.
 * The machine is shared: the load average is printed before and after, and figures are noisy.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { focalPlane, focalPlaneDefaults, type FocalPlaneParams } from './workload/focal-plane.ts';
import { run, type Runner } from '../lib/index.ts';
import { clusterRunner, inlineRunner } from '../runners/index.ts';
import { runRawBaseline } from './cluster/raw-baseline.ts';
import { idleRoot } from './cluster/overhead.ts';

const { values: args } = parseArgs({
  options: {
    sensors: { type: 'string', default: String(focalPlaneDefaults.sensors) },
    size: { type: 'string', default: String(focalPlaneDefaults.width) },
    rounds: { type: 'string', default: String(focalPlaneDefaults.rounds) },
    'cpu-passes': { type: 'string', default: '8' },
    repeats: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
  },
});
const workers = Number(args.workers);
const repeats = Number(args.repeats);
const base: FocalPlaneParams = { sensors: Number(args.sensors), width: Number(args.size), height: Number(args.size), rounds: Number(args.rounds), cpuPasses: 1 };

type Output = { index: number; sha1: string }[];

async function best(label: string, once: () => Promise<Output | number>): Promise<{ ms: number; output: Output | number }> {
  let ms = Infinity;
  let output: Output | number = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    output = await once();
    ms = Math.min(ms, performance.now() - t0);
  }
  console.log(`  ${label.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms`);
  return { ms, output };
}

const viaRunner = (runner: Runner, params: FocalPlaneParams) => async () => (await run(focalPlane, params, { runner, verify: false })).output as Output;

function sameOutputs(a: Output | number, b: Output | number, what: string): boolean {
  const same = JSON.stringify(a) === JSON.stringify(b);
  if (!same) console.log(`  !! ${what} differs from inline`);
  return same;
}

async function workload(title: string, params: FocalPlaneParams): Promise<{ speedup: number; rawSpeedup: number; ratio: number; identical: boolean }> {
  const mb = (params.sensors * params.width * params.height * 4) / 2 ** 20;
  console.log(`\n${title}: ${params.sensors} sensors x ${params.width}x${params.height} float32 (${mb.toFixed(0)} MiB), ${params.rounds} rounds, cpuPasses ${params.cpuPasses}`);
  const inline = await best('inline', viaRunner(inlineRunner(), params));
  const cluster = await best(`cluster (${workers} workers)`, viaRunner(clusterRunner({ workers }), params));
  const raw = await best(`raw worker_threads (${workers})`, () => runRawBaseline(params, workers));
  const identical = sameOutputs(inline.output, cluster.output, 'cluster') && sameOutputs(inline.output, raw.output, 'raw baseline');
  const result = { speedup: inline.ms / cluster.ms, rawSpeedup: inline.ms / raw.ms, ratio: cluster.ms / raw.ms, identical };
  console.log(`  speedup cluster/inline ${result.speedup.toFixed(2)}x   raw/inline ${result.rawSpeedup.toFixed(2)}x   cluster time / raw time ${result.ratio.toFixed(2)} (target <= 1.1)   outputs bit-identical: ${identical}`);
  return result;
}

async function overheads(): Promise<void> {
  console.log(`\noverheads (cluster, ${workers} workers; differences of runs, so thread start-up cancels out)`);
  const runner = clusterRunner({ workers });
  const wall = async (children: number, gathers: number) => (await best(`${children} children x ${gathers} gathers`, async () => (await run(idleRoot, { children, gathers }, { runner, verify: false })).output as number)).ms;
  const [n, m, g] = [2000, 200, 20];
  const one = await wall(1, 0);
  const many = await wall(n, 0);
  const gathered = await wall(m, g);
  const ungathered = await wall(m, 0);
  console.log(`  per scatter child  ${(((many - one) * 1000) / (n - 1)).toFixed(0)} us`);
  console.log(`  per gather member  ${(((gathered - ungathered) * 1000) / (m * g)).toFixed(0)} us`);
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`bench/cluster — best of ${repeats}; shared 2-core machine, figures are noisy; load average ${load()}`);
const memory = await workload('memory-bound', base);
const cpu = await workload('CPU-bound', { ...base, rounds: Math.max(2, Math.floor(base.rounds / 2)), cpuPasses: Number(args['cpu-passes']) });
await overheads();
console.log(`\nsummary: memory-bound speedup ${memory.speedup.toFixed(2)}x (raw ${memory.rawSpeedup.toFixed(2)}x, ratio ${memory.ratio.toFixed(2)}); CPU-bound speedup ${cpu.speedup.toFixed(2)}x (target >= 1.8; raw ${cpu.rawSpeedup.toFixed(2)}x, ratio ${cpu.ratio.toFixed(2)}); outputs identical: ${memory.identical && cpu.identical}`);
console.log(`load average at the end ${load()}`);
if (!memory.identical || !cpu.identical) process.exitCode = 1;
