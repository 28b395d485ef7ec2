// bench/coordination-ab-cluster.mjs: the cluster runner of an older commit (A) against this tree (B),
// both loaded into this one process and alternated with the hand-written worker_threads baseline
// (bench/cluster/raw-baseline.ts), on bench:coordination's focal-plane workload (64x64, 8 rounds, 2
// workers): wall time per run, so both versions meet the same load. Not an npm script: it needs the
// older commit compiled beside the tree first, e.g.
//   rm -rf /tmp/old20g && mkdir /tmp/old20g && git archive ba02fd9 | tar -x -C /tmp/old20g &&
//   ln -s "$PWD/node_modules" /tmp/old20g/node_modules && (cd /tmp/old20g && npx tsc -p tsconfig.bench.json && cp package.json .bench-dist/) &&
//   npx tsc -p tsconfig.bench.json && cp package.json .bench-dist/ &&
//   flock /tmp/skyloom-bench.lock node bench/coordination-ab-cluster.mjs 1024,10000 /tmp/old20g
// (argument 1: sizes; argument 2: the older tree, default /tmp/old20g; argument 3: rounds of the
// three, default 5). Prints the best and median wall times and the median ratio of each to the
// baseline run next to it; every output is checked against the serial loop's.
import { loadavg } from 'node:os';
const load = async (root) => ({ run: (await import(root + '/lib/index.js')).run, clusterRunner: (await import(root + '/runners/index.js')).clusterRunner, w: await import(root + '/bench/workload/focal-plane.js') });
const before = await load((process.argv[3] ?? '/tmp/old20g') + '/.bench-dist');
const after = await load(process.cwd() + '/.bench-dist');
const { runRawBaseline } = await import(process.cwd() + '/.bench-dist/bench/cluster/raw-baseline.js');
const { makeImage, summarize, fitGlobal, correctInPlace, sha1Of } = after.w;
const rounds = Number(process.argv[4] ?? 5);
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const la = () => loadavg().map((l) => l.toFixed(2)).join(' ');
let identical = true;
for (const N of (process.argv[2] ?? '1024,10000').split(',').map(Number)) {
  const p = { sensors: N, width: 64, height: 64, rounds: 8, cpuPasses: 1 };
  const images = Array.from({ length: N }, (_, i) => makeImage(i, 64, 64));
  for (let r = 0; r < 8; r++) { const c = fitGlobal(images.map((im) => summarize(im, 1))); images.forEach((im, i) => correctInPlace(im, c, i)); }
  const reference = JSON.stringify(images.map((im, index) => ({ index, sha1: sha1Of(im) })));
  const sides = {
    A: async () => (await before.run(before.w.focalPlane, p, { runner: before.clusterRunner({ workers: 2 }), verify: false })).output,
    B: async () => (await after.run(after.w.focalPlane, p, { runner: after.clusterRunner({ workers: 2 }), verify: false })).output,
    raw: () => runRawBaseline(p, 2),
  };
  const times = { A: [], B: [], raw: [] };
  for (let k = 0; k <= rounds; k++) {
    for (const [name, f] of Object.entries(sides)) {
      const t0 = performance.now();
      const out = JSON.stringify(await f());
      if (k > 0) times[name].push(performance.now() - t0); // round 0 warms up
      identical &&= out === reference;
    }
  }
  const line = (name) => `${name.padEnd(4)} best ${Math.min(...times[name]).toFixed(0).padStart(6)} ms, median ${med(times[name]).toFixed(0).padStart(6)} ms, ${((Math.min(...times[name]) * 1000) / (N * 8)).toFixed(1)} us/unit-round (best), median ratio to raw ${med(times[name].map((t, k) => t / times.raw[k])).toFixed(2)}x`;
  console.log(`N=${N} (${rounds} rounds of A, B, raw; load ${la()})\n  ${line('A')}\n  ${line('B')}\n  ${line('raw')}\n  B/A median ratio ${med(times.B.map((t, k) => t / times.A[k])).toFixed(2)}`);
}
console.log(`outputs identical to the serial loop's: ${identical}; load at the end ${la()}`);
if (!identical) process.exitCode = 1;
