/**
 * The inline runner's overhead per primitive, next to a plain `for await` over an async generator
 * doing the same arithmetic, in the same process:
 *   - a `get` round trip (put once, then N gets in one unit);
 *   - a `gather` per member, in a group of 1,000 members gathering G times.
 * Usage: node --import tsx bench/activator.ts [--gets N] [--members M] [--gathers G]
 * Targets on the 2-core reference machine: under 2 µs per primitive, under 5 µs per gather member.
 */
import { parseArgs } from 'node:util';
import { algorithm, gather, get, put, run, scatter } from '../lib/index.ts';
import { inlineRunner } from '../runners/index.ts';

const { values: args } = parseArgs({
  options: { gets: { type: 'string', default: '200000' }, members: { type: 'string', default: '1000' }, gathers: { type: 'string', default: '50' } },
});
const gets = Number(args.gets);
const members = Number(args.members);
const gathers = Number(args.gathers);

const getLoop = algorithm(import.meta.url, async function* getLoop(_ctx, n: number) {
  const ref = yield* put({ x: 3 });
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + (yield* get(ref)).x * i) % 1_000_003;
  return acc;
});

const gatherMember = algorithm(import.meta.url, async function* gatherMember(ctx, g: number) {
  let acc = ctx.index;
  for (let k = 0; k < g; k++) acc = ((yield* gather(acc, (vs) => vs.length)) + acc) % 1_000_003;
  return acc;
});

const gatherGroup = algorithm(import.meta.url, async function* gatherGroup(_ctx, p: { members: number; gathers: number }) {
  const outputs = yield* scatter(gatherMember, Array.from({ length: p.members }, () => p.gathers));
  return outputs.reduce((a, b) => (a + b) % 1_000_003, 0);
});

/** The baseline: the same arithmetic through a plain async generator and `for await`. */
async function plainLoop(n: number, valueOf: (i: number) => number): Promise<number> {
  async function* values() {
    for (let i = 0; i < n; i++) yield valueOf(i);
  }
  let acc = 0;
  let i = 0;
  for await (const v of values()) acc = (acc + v * i++) % 1_000_003;
  return acc;
}

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function best<T>(fn: () => Promise<T>, repeats = 3): Promise<{ ms: number; value: T }> {
  let winner: { ms: number; value: T } | undefined;
  for (let r = 0; r < repeats; r++) {
    const t = await time(fn);
    if (!winner || t.ms < winner.ms) winner = t;
  }
  return winner as { ms: number; value: T };
}

const runner = inlineRunner();
const us = (ms: number, n: number): string => ((ms * 1000) / n).toFixed(3);

await run(getLoop, 1000, { runner, verify: false }); // warm up
const sky = await best(async () => (await run(getLoop, gets, { runner, verify: false })).output);
const plain = await best(() => plainLoop(gets, () => 3));
if (sky.value !== plain.value) throw new Error(`get loop computed ${sky.value}, plain loop ${plain.value}`);
console.log(`get round trip:  skyloom ${us(sky.ms, gets)} µs/primitive, plain for-await ${us(plain.ms, gets)} µs/iteration, ratio ${(sky.ms / plain.ms).toFixed(2)}  (${gets} gets; target < 2 µs)`);

const total = members * gathers;
await run(gatherGroup, { members: 10, gathers: 5 }, { runner, verify: false }); // warm up
const skyG = await best(async () => (await run(gatherGroup, { members, gathers }, { runner, verify: false })).output);
const plainG = await best(() => plainLoop(total, (i) => i % members));
console.log(`gather member:   skyloom ${us(skyG.ms, total)} µs/member/gather, plain for-await ${us(plainG.ms, total)} µs/iteration, ratio ${(skyG.ms / plainG.ms).toFixed(2)}  (${members} members × ${gathers} gathers; target < 5 µs)`);
