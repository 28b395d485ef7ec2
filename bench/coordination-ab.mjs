// bench/coordination-ab.mjs: skyloom's per-step CPU cost on the inline runner, an older commit (A)
// against this tree (B), both loaded into this one process and alternated, against the same serial
// loop. Not an npm script: it needs the older commit compiled beside the tree first, e.g.
//   rm -rf /tmp/old20 && mkdir /tmp/old20 && git archive 171deeb | tar -x -C /tmp/old20 &&
//   ln -s "$PWD/node_modules" /tmp/old20/node_modules && (cd /tmp/old20 && npx tsc -p tsconfig.bench.json && cp package.json .bench-dist/) &&
//   npx tsc -p tsconfig.bench.json && cp package.json .bench-dist/ &&
//   flock /tmp/skyloom-bench.lock node bench/coordination-ab.mjs 1024 /tmp/old20
// (argument 1: sensors; argument 2: the older tree, default /tmp/old20). Prints CPU time (user +
// system) per run, median of 6 after a warm-up, and skyloom's own cost per unit-round.
const load = async (root) => ({ run: (await import(root + '/lib/index.js')).run, inlineRunner: (await import(root + '/runners/index.js')).inlineRunner, w: await import(root + '/bench/workload/focal-plane.js') });
const before = await load((process.argv[3] ?? '/tmp/old20') + '/.bench-dist');
const after = await load(process.cwd() + '/.bench-dist');
const N = Number(process.argv[2] ?? 1024);
const p = { sensors: N, width: 64, height: 64, rounds: 8, cpuPasses: 1 };
const { makeImage, summarize, fitGlobal, correctInPlace, sha1Of } = after.w;
function serial() { const images = Array.from({ length: N }, (_, i) => makeImage(i, 64, 64)); for (let r = 0; r < 8; r++) { const c = fitGlobal(images.map((im) => summarize(im, 1))); images.forEach((im, i) => correctInPlace(im, c, i)); } return images.map((im, index) => ({ index, sha1: sha1Of(im) })); }
const cpu = async (f) => { const c0 = process.cpuUsage(); await f(); const c = process.cpuUsage(c0); return (c.user + c.system) / 1000; };
const runs = { before: [], after: [], serial: [] };
for (let r = 0; r < 7; r++) {
  runs.before.push(await cpu(() => before.run(before.w.focalPlane, p, { runner: before.inlineRunner(), verify: false })));
  runs.after.push(await cpu(() => after.run(after.w.focalPlane, p, { runner: after.inlineRunner(), verify: false })));
  runs.serial.push(await cpu(serial));
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const us = (ms) => ((ms * 1000) / (N * 8)).toFixed(1);
const [b, a, s] = [med(runs.before.slice(1)), med(runs.after.slice(1)), med(runs.serial.slice(1))];
console.log(`N=${N} inline, CPU ms per run (median of 6 after a warm-up): before ${b.toFixed(0)} (${us(b)} us/unit-round), after ${a.toFixed(0)} (${us(a)}), serial ${s.toFixed(0)} (${us(s)}); overhead per unit-round before ${us(b - s)} us, after ${us(a - s)} us; ratio to serial before ${(b / s).toFixed(2)}x, after ${(a / s).toFixed(2)}x; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
