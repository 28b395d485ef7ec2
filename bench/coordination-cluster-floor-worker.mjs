// The cluster floor's worker (bench/coordination-cluster-floor.ts): the focal-plane sensor code as
// skyloom runs it (an async generator, `yield*` of put/get/take/gather helpers yielding plain ops),
// driven by the least a runner on worker threads must do. It owns its members' generators and a Map
// for a store; per phase it steps each of its members to its gather (or its end) in member order and
// sends the gathered values (or the outputs) to the main thread in one message; the main thread
// answers with the central result in one message. No events, checks, freezing, ids beyond a counter,
// or bookkeeping. Loads the shared workload the way the hand-written baseline's worker does (tsx from
// the sources, plain node compiled), so both pay the same start-up.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

if (existsSync(new URL('./workload/focal-plane.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { makeImage, summarize, correctInPlace, sha1Of } = await import('./workload/focal-plane.ts');

const { indices, width, height, rounds, cpuPasses } = workerData;

function* put(value) { return yield { kind: 'put', value }; }
function* get(ref) { return yield { kind: 'get', ref }; }
function* take(ref) { return yield { kind: 'get', ref, take: true }; }
function* gather(value) { return yield { kind: 'gather', value }; }

// The same sensor as bench/workload/focal-plane.ts `focalPlaneSensor` (its central, fitGlobal, runs
// in the main thread here).
async function* sensor(index) {
  let image = yield* put(makeImage(index, width, height));
  for (let round = 0; round < rounds; round++) {
    const summary = summarize(yield* get(image), cpuPasses);
    const correction = yield* gather(summary);
    image = yield* put(correctInPlace(yield* take(image), correction, index));
  }
  return { index, sha1: sha1Of(yield* get(image)) };
}

const store = new Map();
let next = 0;
const members = indices.map((index) => sensor(index));

/** Steps every member of this host to its next gather or end with `reply`; the gathered values or the outputs, in member order. */
async function phase(reply) {
  const values = [];
  const outputs = [];
  for (const member of members) {
    let r = await member.next(reply);
    while (!r.done && r.value.kind !== 'gather') {
      const op = r.value;
      let answer;
      if (op.kind === 'put') {
        const id = ++next;
        store.set(id, op.value);
        answer = { $ref: id };
      } else {
        answer = store.get(op.ref.$ref);
        if (op.take) store.delete(op.ref.$ref);
      }
      r = await member.next(answer);
    }
    if (r.done) outputs.push(r.value);
    else values.push(r.value.value);
  }
  return outputs.length > 0 ? { kind: 'outputs', outputs } : { kind: 'gathered', values };
}

parentPort.on('message', (message) => {
  phase(message.reply).then((answer) => parentPort.postMessage(answer));
});
parentPort.postMessage({ kind: 'ready' });
