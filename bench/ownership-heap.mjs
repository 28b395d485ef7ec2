// bench/ownership-heap.mjs: the heap the store's ownership bookkeeping (lib/memory/ownership.ts) keeps
// for N live units that each put a transfer ref and take the previous version back every round (the
// focal-plane sensor's pattern), measured in a process of its own after a forced collection. Not an
// npm script; compare two compiled trees (see bench/coordination-ab.mjs for compiling an older one):
//   npx tsc -p tsconfig.bench.json && node --expose-gc bench/ownership-heap.mjs . 8
//   node --expose-gc bench/ownership-heap.mjs /tmp/old20 8
// (argument 1: the tree; 2: rounds, default 8; 3: units, default 10,000).
const root = new URL(`${process.argv[2] ?? '.'}/`, `file://${process.cwd()}/`).href;
const { Ownership } = await import(new URL('.bench-dist/lib/memory/ownership.js', root).href);
const rounds = Number(process.argv[3] ?? 8);
const units = Number(process.argv[4] ?? 10000);
globalThis.gc();
const before = process.memoryUsage().heapUsed;
const own = new Ownership();
let n = 0;
for (let r = 0; r < rounds; r++) {
  for (let u = 0; u < units; u++) {
    const pixels = new Float32Array(1);
    own.adopt(`r${++n}`, pixels, `root/sensor:${u}`);
    if (r > 0) own.taken(`r${n - units}`, pixels, `root/sensor:${u}`);
  }
}
globalThis.gc();
const held = process.memoryUsage().heapUsed - before;
console.log(`${units} live units, ${rounds} rounds of put + take: ${(held / 1e6).toFixed(2)} MB held by Ownership (${(held / units).toFixed(0)} B per unit); ${own.unitEnded('root/sensor:0').length} ref(s) freed at unit 0's end`);
