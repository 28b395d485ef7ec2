/**
 * bench/slurm: the focal-plane workload (bench/workload/focal-plane.ts, bench/laptop's defaults) on
 * cluster mode with 2 worker threads and on the Slurm runner with 2 tasks (two host processes, on the
 * local Slurm cluster of .ci/slurm-up.sh: two node names on this one machine), in this one process.
 * Every output is checked bit-identical to inline's.
 *
 *   .ci/slurm-up.sh && SLURM_CONF=/tmp/skyloom-slurm/slurm.conf flock /tmp/skyloom-bench.lock npm run bench:slurm [-- --sensors 32 --size 2048 --rounds 8 --repeats 5]
 *
 * Wall times include starting the hosts: threads for cluster mode; for Slurm, srun's request for an
 * allocation and step, the processes' start and their module loading. Cluster and Slurm runs
 * alternate after one unmeasured warm-up pair; the ratio printed is the median of the pairs' ratios
 * (slurm time / cluster time), which one noisy run on this shared machine cannot move.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { focalPlane, focalPlaneDefaults, type FocalPlaneParams } from './workload/focal-plane.ts';
import { run, type Runner } from '../lib/index.ts';
import { clusterRunner, inlineRunner, slurmRunner } from '../runners/index.ts';

const { values: args } = parseArgs({
  options: {
    sensors: { type: 'string', default: String(focalPlaneDefaults.sensors) },
    size: { type: 'string', default: String(focalPlaneDefaults.width) },
    rounds: { type: 'string', default: String(focalPlaneDefaults.rounds) },
    repeats: { type: 'string', default: '5' },
    tasks: { type: 'string', default: '2' },
  },
});
const tasks = Number(args.tasks);
const repeats = Number(args.repeats);
const params: FocalPlaneParams = { sensors: Number(args.sensors), width: Number(args.size), height: Number(args.size), rounds: Number(args.rounds), cpuPasses: 1 };

const once = async (runner: Runner): Promise<{ ms: number; output: string }> => {
  const t0 = performance.now();
  const result = await run(focalPlane, params, { runner, verify: false });
  return { ms: performance.now() - t0, output: JSON.stringify(result.output) };
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const mb = (params.sensors * params.width * params.height * 4) / 2 ** 20;
console.log(`bench/slurm — ${repeats} pairs; shared 2-core machine, figures are noisy; load average ${load()}`);
console.log(`focal plane: ${params.sensors} sensors x ${params.width}x${params.height} float32 (${mb.toFixed(0)} MiB), ${params.rounds} rounds`);
const cluster = () => clusterRunner({ workers: tasks });
const slurm = () => slurmRunner({ tasks, listen: '127.0.0.1' });
const inline = await once(inlineRunner());
console.log(`  ${'inline'.padEnd(28)} ${inline.ms.toFixed(0).padStart(7)} ms`);
const warm = performance.now();
await once(cluster());
await once(slurm());
console.log(`  ${'warm-up pair (not measured)'.padEnd(28)} ${(performance.now() - warm).toFixed(0).padStart(7)} ms`);
const pairs: { cluster: number; slurm: number }[] = [];
let identical = true;
for (let r = 0; r < repeats; r++) {
  const c = await once(cluster());
  const s = await once(slurm());
  identical &&= c.output === inline.output && s.output === inline.output;
  pairs.push({ cluster: c.ms, slurm: s.ms });
}
const ratios = pairs.map((p) => p.slurm / p.cluster);
console.log(`  ${`cluster (${tasks} workers)`.padEnd(28)} ${Math.min(...pairs.map((p) => p.cluster)).toFixed(0).padStart(7)} ms   (runs ${pairs.map((p) => p.cluster.toFixed(0)).join(', ')})`);
console.log(`  ${`slurm (${tasks} tasks)`.padEnd(28)} ${Math.min(...pairs.map((p) => p.slurm)).toFixed(0).padStart(7)} ms   (runs ${pairs.map((p) => p.slurm.toFixed(0)).join(', ')})`);
console.log(`  slurm time / cluster time: median of the ${pairs.length} pairs ${median(ratios).toFixed(2)} (target <= 1.25; pairs ${ratios.map((x) => x.toFixed(2)).join(', ')})   outputs bit-identical to inline: ${identical}`);
console.log(`load average after: ${load()}`);
if (!identical) process.exitCode = 1;
