/**
 * One `run()` of the focal-plane workload, as a user's own `.ts` program would call it, for
 * `bench/ts-speed.mjs`: run as it is through tsx (`node --import tsx`), or compiled (.bench-dist, plain
 * node). Prints `{ wallMs, digest }` as JSON: the run's own wall time, and a digest of the output so
 * the two ways can be checked to compute the same thing.
 *
 *   focal-run <inline|cluster> <sensors> <width> <rounds>
 */
import { createHash } from 'node:crypto';
import { run } from '../../lib/index.ts';
import { clusterRunner, inlineRunner } from '../../runners/index.ts';
import { focalPlane } from '../workload/focal-plane.ts';

const [runnerName = 'inline', sensors = '16', width = '1024', rounds = '8'] = process.argv.slice(2);
const runner = runnerName === 'cluster' ? clusterRunner({ workers: 2 }) : inlineRunner();
const size = Number(width);
const { output, stats } = await run(focalPlane, { sensors: Number(sensors), width: size, height: size, rounds: Number(rounds), cpuPasses: 1 }, { runner });
const digest = createHash('sha1').update(JSON.stringify(output)).digest('hex');
console.log(JSON.stringify({ wallMs: stats.wallMs, digest }));
