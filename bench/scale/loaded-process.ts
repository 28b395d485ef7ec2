/**
 * The baseline probe, run as its own process by `baseline.ts`: loads what `skyloom run` loads (the
 * CLI's modules, lib, the algorithms, the runners), runs nothing, idles briefly so start-up garbage
 * can be collected, and prints its own VmRSS and VmHWM as JSON on stdout.
 *
 *   node --import tsx bench/scale/loaded-process.ts [--workers N]
 *
 * With `--workers N` it first runs an algorithm that does nothing on a cluster runner of N workers
 * (every worker loads skyloom and the algorithms), and the figure to use is VmHWM: the workers are
 * terminated when the run ends, so VmRSS after it no longer holds them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import '../../cli/main.ts';
import { run } from '../../lib/index.ts';
import '../../algorithms/index.ts';
import { clusterRunner } from '../../runners/index.ts';
import { idleRoot } from './idle-algorithm.ts';
import { readOwnProcMemory } from './proc-memory.ts';

const { values } = parseArgs({ options: { workers: { type: 'string', default: '0' } } });
const workers = Number(values.workers);
if (workers > 0) await run(idleRoot, workers, { runner: clusterRunner({ workers }) });
await sleep(500);
process.stdout.write(`${JSON.stringify(readOwnProcMemory())}\n`);
