/**
 * One `run()` of the focal-plane workload, as a user's own `.ts` program would call it, for
 * `bench/ts-speed.mjs`: run as it is through tsx (`node --import tsx`), or compiled (.bench-dist, plain
 * node). Prints `{ wallMs, digest }` as JSON: the run's own wall time, and a digest of the output so
 * the two ways can be checked to compute the same thing.
 *
 * `cluster-ts-hosts` (compiled only): this program stays compiled, but the algorithm it names is the
 * workload's `.ts` source module, so every worker host imports the user's `.ts` itself (turning tsx
 * on in that thread, `lib/import-module.ts`) while this thread never loads tsx: the worker hosts' path
 * for a user's `.ts` algorithm under a compiled skyloom.
 *
 *   focal-run <inline|cluster|cluster-ts-hosts> <sensors> <width> <rounds>
 */
import { createHash } from 'node:crypto';
import { algorithm, run } from '../../lib/index.ts';
import { clusterRunner, inlineRunner } from '../../runners/index.ts';
import { focalPlane } from '../workload/focal-plane.ts';

const [runnerName = 'inline', sensors = '16', width = '1024', rounds = '8'] = process.argv.slice(2);
const runner = runnerName.startsWith('cluster') ? clusterRunner({ workers: 2 }) : inlineRunner();
const size = Number(width);
// From .bench-dist/bench/ts-speed/ (compiled) the sources are three levels up.
const alg = runnerName === 'cluster-ts-hosts' ? algorithm(new URL('../../../bench/workload/focal-plane.ts', import.meta.url).href, focalPlane.fn) : focalPlane;
const { output, stats } = await run(alg, { sensors: Number(sensors), width: size, height: size, rounds: Number(rounds), cpuPasses: 1 }, { runner });
const digest = createHash('sha1').update(JSON.stringify(output)).digest('hex');
console.log(JSON.stringify({ wallMs: stats.wallMs, digest }));
