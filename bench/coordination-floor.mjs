// bench/coordination-floor.mjs: the least any runner built on async generators can cost on the
// focal-plane workload at 64x64 (bench:coordination's), against the same hand-written serial loop
// in this process. The same sensor code (async generator, `yield*` of put/get/take/gather helpers
// yielding plain ops) driven by the smallest possible loop: a Map for a store, members in order, no
// events, checks, freezing or bookkeeping. What it costs above the serial loop is the async
// generator's own machinery (promises and microtask turns per primitive), which no runner can remove
// without changing how algorithms are written. Not an npm script: run after a compile,
//   npx tsc -p tsconfig.bench.json && cp package.json .bench-dist/ &&
//   flock /tmp/skyloom-bench.lock node bench/coordination-floor.mjs 1024
// Prints wall time per unit-round (median of 7 alternated runs) and the ratio to the serial loop.
const w = await import(new URL('../.bench-dist/bench/workload/focal-plane.js', import.meta.url).href);
const { makeImage, summarize, fitGlobal, correctInPlace, sha1Of } = w;
const N = Number(process.argv[2] ?? 1024), R = 8;
function* put(v) { return yield { kind: 'put', value: v }; }
function* get(r) { return yield { kind: 'get', ref: r }; }
function* take(r) { return yield { kind: 'get', ref: r, take: true }; }
function* gather(v, c) { return yield { kind: 'gather', value: v, central: c }; }
async function* sensor(i) {
  let image = yield* put(makeImage(i, 64, 64));
  for (let r = 0; r < R; r++) {
    const s = summarize(yield* get(image), 1);
    const c = yield* gather(s, fitGlobal);
    image = yield* put(correctInPlace(yield* take(image), c, i));
  }
  return { index: i, sha1: sha1Of(yield* get(image)) };
}
async function runFloor() {
  const store = new Map(); let next = 0;
  const gens = Array.from({ length: N }, (_, i) => sensor(i));
  let replies = gens.map(() => undefined); const outs = [];
  for (;;) {
    const vals = []; let done = false;
    for (let i = 0; i < N; i++) {
      let r = await gens[i].next(replies[i]);
      while (!r.done && r.value.kind !== 'gather') {
        const op = r.value; let v;
        if (op.kind === 'put') { const id = 'r' + ++next; store.set(id, op.value); v = { $ref: id }; }
        else { v = store.get(op.ref.$ref); if (op.take) store.delete(op.ref.$ref); }
        r = await gens[i].next(v);
      }
      if (r.done) { outs.push(r.value); done = true; } else vals.push(r.value.value);
    }
    if (done) return outs;
    const c = fitGlobal(vals); replies = gens.map(() => c);
  }
}
function serial() { const images = Array.from({ length: N }, (_, i) => makeImage(i, 64, 64)); for (let r = 0; r < R; r++) { const c = fitGlobal(images.map((im) => summarize(im, 1))); images.forEach((im, i) => correctInPlace(im, c, i)); } return images.map((im, index) => ({ index, sha1: sha1Of(im) })); }
const t = async (f) => { const t0 = performance.now(); await f(); return performance.now() - t0; };
const a = [], b = [];
for (let k = 0; k < 7; k++) { a.push(await t(runFloor)); b.push(await t(serial)); }
const med = (x) => [...x].sort((p, q) => p - q)[3];
const us = (ms) => (ms * 1000 / (N * R)).toFixed(1);
const floorOut = JSON.stringify(await runFloor()), serialOut = JSON.stringify(serial());
console.log(`N=${N} floor ${us(med(a))} us/unit-round, serial ${us(med(b))}, ratio ${(med(a) / med(b)).toFixed(2)}; outputs identical: ${floorOut === serialOut}; load ${(await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(" ")}`);
