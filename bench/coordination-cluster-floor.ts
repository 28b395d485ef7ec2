/**
 * bench/coordination-cluster-floor: the least any runner that drives async generators on 2 worker
 * threads can cost on bench:coordination's focal-plane workload (64×64, 8 rounds), measured against
 * the same hand-written worker_threads baseline (bench/cluster/raw-baseline.ts) and skyloom's cluster
 * runner, all in this one process.
 *
 * The floor keeps the cluster's shape and nothing more (bench/coordination-cluster-floor-worker.mjs):
 * two plain worker threads, each running its half of the members' generators (the sensor code as
 * skyloom runs it: an async generator, `yield*` of helpers yielding plain ops) with a Map for a store;
 * per phase one message per host to the main thread with the gathered values, the central (`fitGlobal`)
 * computed in the main thread, one message back per host. What it costs above the hand-written
 * workers is the async generators' own machinery (the raw baseline makes two round trips a round,
 * summarize and apply, the floor one), which no runner of this shape removes.
 *
 *   node bench/compiled.mjs coordination-cluster-floor [--sizes 32,1024,10000 --repeats 5 --workers 2 --skyloom]
 *
 * Each side alternates with the raw baseline `repeats` times after one unmeasured warm-up; times are
 * the best of the runs, ratios the median of the pairs'. Every output is checked equal to the serial
 * loop's (and so to the baseline's). `--skyloom` also pairs skyloom's cluster runner with the baseline
 * in the same command.
 */
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { run, tuneMalloc } from '../lib/index.ts';
import { clusterRunner } from '../runners/index.ts';
import { runRawBaseline } from './cluster/raw-baseline.ts';
import { askWorker } from './workload/ask-worker.ts';
import { serialLoop, type FocalPlaneOutput } from './coordination-serial.ts';
import { fitGlobal, focalPlane, type FocalPlaneParams, type Summary } from './workload/focal-plane.ts';

tuneMalloc(); // as bench:coordination: both sides of every ratio run with it

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '32,1024,10000' },
    repeats: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    skyloom: { type: 'boolean', default: false },
  },
});
const workers = Number(args.workers);
const repeats = Number(args.repeats);
type Output = FocalPlaneOutput;
type Answer = { kind: 'ready' } | { kind: 'gathered'; values: Summary[] } | { kind: 'outputs'; outputs: Output };

/** The floor: members' generators on `workers` threads (blocks of consecutive indices), one message each way per host per phase. */
async function runFloor(p: FocalPlaneParams): Promise<Output> {
  const per = Math.ceil(p.sensors / workers);
  const all = Array.from({ length: p.sensors }, (_, i) => i);
  const blocks = Array.from({ length: workers }, (_, w) => all.slice(w * per, (w + 1) * per)).filter((b) => b.length > 0);
  const { width, height, rounds, cpuPasses } = p;
  const threads = blocks.map((indices) => new Worker(new URL('./coordination-cluster-floor-worker.mjs', import.meta.url), { workerData: { indices, width, height, rounds, cpuPasses }, execArgv: [] }));
  try {
    await Promise.all(threads.map((t) => once(t, 'message')));
    let reply: unknown;
    for (;;) {
      const answers = await Promise.all(threads.map((t) => askWorker<Answer>(t, { reply })));
      if (answers.every((a) => a.kind === 'outputs')) return answers.flatMap((a) => a.outputs);
      if (!answers.every((a) => a.kind === 'gathered')) throw new Error('the floor\'s hosts disagree on the phase');
      reply = fitGlobal(answers.flatMap((a) => a.values)); // member order: blocks are consecutive
    }
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const timed = async (f: () => Promise<Output>): Promise<{ ms: number; out: string }> => {
  const t0 = performance.now();
  const out = JSON.stringify(await f());
  return { ms: performance.now() - t0, out };
};

console.log(`bench/coordination-cluster-floor — focal plane at 64x64, 8 rounds, ${workers} workers, ${repeats} rounds of pairs; shared 2-core machine, load average ${load()}`);
let allIdentical = true;
const summary: string[] = [];
for (const sensors of args.sizes.split(',').map(Number)) {
  const p: FocalPlaneParams = { sensors, width: 64, height: 64, rounds: 8, cpuPasses: 1 };
  const reference = JSON.stringify(serialLoop(p));
  const sides: [string, () => Promise<Output>][] = [['floor (2 threads, async generators)', () => runFloor(p)]];
  if (args.skyloom) sides.push([`skyloom cluster (${workers})`, async () => (await run(focalPlane, p, { runner: clusterRunner({ workers }), verify: false })).output as Output]);
  const raw = (): Promise<Output> => runRawBaseline(p, workers);
  for (const [, f] of sides) await f(); // warm-up
  await raw();
  const times = new Map<string, number[]>(sides.map(([name]) => [name, []]));
  const ratios = new Map<string, number[]>(sides.map(([name]) => [name, []]));
  const rawTimes: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const base = await timed(raw);
    rawTimes.push(base.ms);
    allIdentical &&= base.out === reference;
    for (const [name, f] of sides) {
      const t = await timed(f);
      allIdentical &&= t.out === reference;
      times.get(name)?.push(t.ms);
      ratios.get(name)?.push(t.ms / base.ms);
    }
  }
  const us = (ms: number): string => `${((ms * 1000) / (sensors * p.rounds)).toFixed(1)} us`;
  console.log(`\nN = ${sensors}   raw worker_threads (${workers}): best ${Math.min(...rawTimes).toFixed(1)} ms, ${us(Math.min(...rawTimes))}/unit-round`);
  for (const [name] of sides) {
    const best = Math.min(...(times.get(name) ?? []));
    const line = `N=${sensors} ${name}: ${median(ratios.get(name) ?? []).toFixed(2)}x raw workers (median of ${repeats} pairs), best ${best.toFixed(1)} ms, ${us(best)}/unit-round vs ${us(Math.min(...rawTimes))}; load ${load()}`;
    console.log(`  ${line}`);
    summary.push(line);
  }
}
console.log(`\nsummary (target: skyloom cluster <= 1.5x raw workers at N=1024)`);
for (const line of summary) console.log(`  ${line}`);
console.log(`outputs identical to the serial loop's: ${allIdentical}; load average at the end ${load()}`);
if (!allIdentical) process.exitCode = 1;
