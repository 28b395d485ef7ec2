// `.ts` at compiled speed (issue #20, part 4), measured in one command, rounds interleaved:
//
//   the command:  `skyloom run` from the .ts sources (cli/bin.mjs, what `npm start` runs: it builds a
//                 compiled copy once per change and runs that) against the compiled package
//                 (`npm run build`'s dist/, plain node), both with `npm start`'s node flags, on the
//                 camera pipeline. Target: ≤ 1.03x.
//   run():        the focal-plane workload as a user's own `.ts` program calls `run()`: through tsx
//                 (`node --import tsx main.ts`) against the same program compiled (plain node), on
//                 the inline runner (units in the main thread) and the cluster runner (units on worker
//                 hosts, which load the algorithm's module themselves).
//   hosts:        a compiled program on the cluster runner whose algorithm is a `.ts` module, which
//                 each worker host imports itself (tsx turned on in that thread only), against the
//                 same with the compiled module.
//
// Each figure is the median over the rounds; each ratio is the median of the per-round ratios
// (paired: the two sides of a round ran next to each other). Both sides of a pair must compute the
// same output (the CLI's summary, the focal workload's digest), or the benchmark fails.
//
//   flock /tmp/skyloom-bench.lock node bench/ts-speed.mjs [rounds=5] [camera=tiny] [visits=4] [sensors=16] [width=1024] [focal rounds=8]
//
// SKYLOOM_TS_SPEED=cli,inline,cluster,hosts (the default: all four) chooses the pairs. Builds .bench-dist/
// (tsconfig.bench.json) and .bench-dist/package (the compiled package) first.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { compiledBuild } from '../cli/launcher/compiled-build.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [rounds = 5, camera = 'tiny', visits = 4, sensors = 16, width = 1024, focalRounds = 8] = process.argv.slice(2).map((a, i) => (i === 1 ? a : Number(a)));

// Build everything before timing anything.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.bench.json')], { stdio: 'inherit' });
copyFileSync(join(root, 'package.json'), join(root, '.bench-dist', 'package.json'));
const packageDir = join(root, '.bench-dist', 'package');
execFileSync(process.execPath, [join(root, '.ci', 'build-dist.mjs'), packageDir], { stdio: 'inherit' });
compiledBuild(root); // the command's own compiled copy, so no round pays for building it

const startFlags = ['--max-semi-space-size=1']; // npm start's (package.json), for both sides
const startEnv = { ...process.env, MALLOC_MMAP_THRESHOLD_: '262144' };
const scratch = mkdtempSync(join(tmpdir(), 'skyloom-ts-speed-'));

/** Runs `args` with node; returns the process's wall time and the last JSON line it printed. */
function timed(args, env = process.env) {
  const t0 = performance.now();
  const stdout = execFileSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  const processMs = performance.now() - t0;
  return { processMs, result: JSON.parse(stdout.trim().split('\n').at(-1)) };
}

let outs = 0;
function cli(bin) {
  const out = join(scratch, `out-${outs++}`);
  const { processMs, result } = timed([...startFlags, bin, 'run', '--memory', '64MB', '--camera', String(camera), '--visits', String(visits), '--seed', '1', '--json', '--no-progress', '--out', out], startEnv);
  rmSync(out, { recursive: true, force: true });
  // What the run computed, without its timings.
  const same = JSON.stringify(result.visits.map(({ wallMs: _w, peakResidentBytes: _p, spilledBytes: _s, ...visit }) => visit));
  return { processMs, wallMs: result.wallMs, same };
}

function focal(how, runner) {
  const args = how === 'tsx' ? ['--import', 'tsx', join(root, 'bench', 'ts-speed', 'focal-run.ts')] : [join(root, '.bench-dist', 'bench', 'ts-speed', 'focal-run.js')];
  // The digest covers the output only, so a .ts and a compiled algorithm module compare equal.
  const { processMs, result } = timed([...args, runner, String(sensors), String(width), String(focalRounds)]);
  return { processMs, wallMs: result.wallMs, same: result.digest };
}

const allPairs = {
  cli: ['skyloom run: from the .ts sources vs the compiled package', () => cli(join(root, 'cli', 'bin.mjs')), () => cli(join(packageDir, 'cli', 'bin.mjs'))],
  inline: ['run(), inline: a .ts program through tsx vs compiled', () => focal('tsx', 'inline'), () => focal('compiled', 'inline')],
  cluster: ['run(), cluster (2 workers): a .ts program through tsx vs compiled', () => focal('tsx', 'cluster'), () => focal('compiled', 'cluster')],
  hosts: ['cluster (2 workers), compiled program: worker hosts load the .ts algorithm vs the compiled one', () => focal('compiled', 'cluster-ts-hosts'), () => focal('compiled', 'cluster')],
};
const chosen = (process.env.SKYLOOM_TS_SPEED ?? 'cli,inline,cluster,hosts').split(',');
const pairs = Object.fromEntries(chosen.map((key) => {
  if (!allPairs[key]) throw new Error(`SKYLOOM_TS_SPEED: unknown pair ${key} (cli, inline, cluster, hosts)`);
  const [name, ts, compiled] = allPairs[key];
  return [name, [ts, compiled]];
}));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  console.log(`ts-speed: ${rounds} interleaved rounds; camera ${camera}, ${visits} visits; focal ${sensors} x ${width}² x ${focalRounds} rounds`);
  const samples = Object.fromEntries(Object.keys(pairs).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, [ts, compiled]] of Object.entries(pairs)) {
      // Alternate which side goes first, so neither always runs on a warmer machine.
      let a, b;
      if (r % 2 === 0) [a, b] = [ts(), compiled()];
      else [b, a] = [compiled(), ts()];
      if (a.same !== b.same) throw new Error(`${name}: the two sides computed different outputs (${a.same} vs ${b.same})`);
      samples[name].push({ ts: a, compiled: b });
    }
  }
  for (const [name, xs] of Object.entries(samples)) {
    const f = (side, key) => median(xs.map((x) => x[side][key])).toFixed(0);
    const ratio = (key) => median(xs.map((x) => x.ts[key] / x.compiled[key])).toFixed(3);
    console.log(`${name}\n  run wall   ${f('ts', 'wallMs')} ms vs ${f('compiled', 'wallMs')} ms: ${ratio('wallMs')}x`);
    console.log(`  process    ${f('ts', 'processMs')} ms vs ${f('compiled', 'processMs')} ms: ${ratio('processMs')}x`);
    console.log(`  per round (run wall): ${xs.map((x) => (x.ts.wallMs / x.compiled.wallMs).toFixed(3)).join(' ')}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
