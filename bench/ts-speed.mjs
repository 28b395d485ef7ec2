// `.ts` at compiled speed (issue #20, part 4), measured in one command, rounds interleaved:
//
//   cli:      `skyloom run` from the .ts sources (cli/bin.mjs, what `npm start` runs: it builds a
//             compiled copy once per change and runs that) against the compiled package
//             (`npm run build`'s dist/, plain node), both with `npm start`'s node flags, on the
//             camera pipeline. Target: ≤ 1.03x.
//   inline:   the focal-plane workload as a user's own `.ts` program that calls `run()` on the inline
//             runner (units in the main thread), run with `skyloom exec main.ts` (compiled once into
//             node_modules/.cache/skyloom/ts, then plain node: lib/ts-cache/) against the same program
//             compiled by tsc with the same options (plain node `out/main.js`). The program is an app
//             beside the compiled package, as a user has it: it imports `skyloom` by name
//             (node_modules/skyloom → the package), on both sides.
//   cluster:  the same on the cluster runner (2 workers): the worker hosts import the user's `.ts`
//             algorithm module themselves, through the same cache (lib/import-module.ts).
//   hosts:    a compiled program on the cluster runner whose algorithm is the workload's `.ts` source
//             module, which each worker host imports itself through the cache, against the same with
//             the compiled module.
//   tsx:      (reference, not in the default set) the program through tsx (`node --import tsx`)
//             against compiled, inline: what `skyloom exec` replaces.
//
// Every side runs with a warm cache (one untimed run first): the figures are steady state, not the
// one-off compile (up to ~0.5 s per changed graph).
//
// Each figure is the median over the rounds; each ratio is the median of the per-round ratios
// (paired: the two sides of a round ran next to each other). Both sides of a pair must compute the
// same output (the CLI's summary, the focal workload's digest), or the benchmark fails.
//
//   flock /tmp/skyloom-bench.lock node bench/ts-speed.mjs [rounds=5] [camera=tiny] [visits=4] [sensors=16] [width=1024] [focal rounds=8]
//
// SKYLOOM_TS_SPEED=cli,inline,cluster,hosts (the default) chooses the pairs; `tsx` adds the reference.
// Builds .bench-dist/ (tsconfig.bench.json) and .bench-dist/package (the compiled package) first.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

// The user's app: the workload's program and algorithm module as a user writes them, importing the
// compiled package by name.
const app = join(scratch, 'app');
mkdirSync(join(app, 'node_modules'), { recursive: true });
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
symlinkSync(packageDir, join(app, 'node_modules', 'skyloom'));
function copyIntoApp(from, to, imports) {
  let text = readFileSync(join(root, from), 'utf8');
  for (const [source, byName] of imports) {
    if (!text.includes(`'${source}'`)) throw new Error(`${from} no longer imports ${source}: update bench/ts-speed.mjs`);
    text = text.replaceAll(`'${source}'`, `'${byName}'`);
  }
  writeFileSync(join(app, to), text);
}
copyIntoApp('bench/ts-speed/focal-run.ts', 'main.ts', [['../../lib/index.ts', 'skyloom'], ['../../runners/index.ts', 'skyloom/runners'], ['../workload/focal-plane.ts', './focal-plane.ts']]);
copyIntoApp('bench/workload/focal-plane.ts', 'focal-plane.ts', [['../../lib/index.ts', 'skyloom']]);
// The same app compiled by tsc against the same package (what a user does by hand: docs/guide.md),
// with the repository's compiler options, which `skyloom exec` reads too (the app's tsconfig.json).
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, rootDir: '.', outDir: 'out', declaration: false, sourceMap: false, types: [] }, files: ['main.ts', 'focal-plane.ts'] }));
execFileSync(process.execPath, [tsc, '-p', join(app, 'tsconfig.json'), '--noCheck'], { stdio: 'inherit' });

let outs = 0;
function cli(bin) {
  const out = join(scratch, `out-${outs++}`);
  const { processMs, result } = timed([...startFlags, bin, 'run', '--memory', '64MB', '--camera', String(camera), '--visits', String(visits), '--seed', '1', '--json', '--no-progress', '--out', out], startEnv);
  rmSync(out, { recursive: true, force: true });
  // What the run computed, without its timings.
  const same = JSON.stringify(result.visits.map(({ wallMs: _w, peakResidentBytes: _p, spilledBytes: _s, ...visit }) => visit));
  return { processMs, wallMs: result.wallMs, same };
}

function focal(how, runner, size = [sensors, width, focalRounds]) {
  const program = {
    exec: [join(root, 'cli', 'bin.mjs'), 'exec', join(app, 'main.ts')],
    'app-compiled': [join(app, 'out', 'main.js')],
    tsx: ['--import', 'tsx', join(root, 'bench', 'ts-speed', 'focal-run.ts')],
    compiled: [join(root, '.bench-dist', 'bench', 'ts-speed', 'focal-run.js')],
  }[how];
  // The digest covers the output only, so a .ts and a compiled algorithm module compare equal.
  const { processMs, result } = timed([...program, runner, ...size.map(String)]);
  return { processMs, wallMs: result.wallMs, same: result.digest };
}

const allPairs = {
  cli: ['skyloom run: from the .ts sources vs the compiled package', () => cli(join(root, 'cli', 'bin.mjs')), () => cli(join(packageDir, 'cli', 'bin.mjs'))],
  inline: ['run(), inline: `skyloom exec main.ts` vs the app compiled by tsc', () => focal('exec', 'inline'), () => focal('app-compiled', 'inline')],
  cluster: ['run(), cluster (2 workers): `skyloom exec main.ts` vs the app compiled by tsc', () => focal('exec', 'cluster'), () => focal('app-compiled', 'cluster')],
  hosts: ['cluster (2 workers), compiled program: worker hosts load the .ts algorithm (cache) vs the compiled one', () => focal('compiled', 'cluster-ts-hosts'), () => focal('compiled', 'cluster')],
  tsx: ['run(), inline (reference): `node --import tsx main.ts` vs the program compiled', () => focal('tsx', 'inline'), () => focal('compiled', 'inline')],
};
const chosen = (process.env.SKYLOOM_TS_SPEED ?? 'cli,inline,cluster,hosts').split(',');
const pairs = Object.fromEntries(chosen.map((key) => {
  if (!allPairs[key]) throw new Error(`SKYLOOM_TS_SPEED: unknown pair ${key} (${Object.keys(allPairs).join(', ')})`);
  const [name, ts, compiled] = allPairs[key];
  return [name, [ts, compiled]];
}));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  // Warm the compiled-module caches (the app's, and the repository's for `hosts`), untimed.
  if (chosen.includes('inline') || chosen.includes('cluster')) focal('exec', 'cluster', [2, 16, 1]);
  if (chosen.includes('hosts')) focal('compiled', 'cluster-ts-hosts', [2, 16, 1]);
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
