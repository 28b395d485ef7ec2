// The baseline probe, run as its own process by `baseline.ts` the way the main job runs (npm start's
// environment and node flags, plain node, the compiled copy `cli/bin.mjs` runs): loads what
// `skyloom run` loads (the CLI's modules, lib, the algorithms, the runners, skyloom's native addons), runs nothing, idles
// briefly so start-up garbage can be collected, and prints its own VmRSS and VmHWM as JSON on stdout.
//
//   node bench/scale/loaded-process.mjs [--workers N]
//
// With `--workers N` it first runs an algorithm that does nothing on a cluster runner of N workers
// (every worker loads skyloom and the algorithms), and the figure to use is VmHWM: the workers are
// terminated when the run ends, so VmRSS after it no longer holds them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compiledBuild } from '../../cli/launcher/compiled-build.mjs';

const build = compiledBuild(fileURLToPath(new URL('../..', import.meta.url)));
const compiled = (path) => import(new URL(path, `file://${build}/`).href);
await compiled('cli/main.js');
const { run } = await compiled('lib/index.js');
await compiled('algorithms/index.js');
const { clusterRunner } = await compiled('runners/index.js');

// skyloom's two native addons, which it loads lazily and every `skyloom run` loads: koffi (madvise, at
// the first buffer the store lets go of) and better-sqlite3 (the ledger). Loaded here the same way,
// without running anything: their code is part of the process with skyloom loaded (~+3-5 MB).
const { returnPages } = await compiled('lib/memory/return-pages.js');
returnPages(new ArrayBuffer(1 << 16));
const Database = createRequire(`${build}/lib/ledger/ledger-db.js`)('better-sqlite3');
new Database(':memory:').close();

const { values } = parseArgs({ options: { workers: { type: 'string', default: '0' } } });
const workers = Number(values.workers);
if (workers > 0) {
  process.env.SKYLOOM_PROBE_BUILD = build; // read by idle-algorithm.mjs, in this thread and the workers
  const { idleRoot } = await import('./idle-algorithm.mjs');
  await run(idleRoot, workers, { runner: clusterRunner({ workers }) });
}
await sleep(500);
const status = readFileSync('/proc/self/status', 'utf8');
const kB = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
process.stdout.write(`${JSON.stringify({ rssBytes: kB('VmRSS'), hwmBytes: kB('VmHWM') })}\n`);
