// The hand-written baseline's worker: owner computes with raw worker_threads, no framework. It owns
// the images of the sensors it is given, sends one summary per sensor per round, applies the
// correction it gets back in place (as the skyloom workload does since it takes its images back), and
// returns each final image's SHA-1. Loads the shared workload the same
// way skyloom's hosts do, so both pay the same start-up: from the sources (the .ts beside it) through
// tsx, compiled (bench/compiled.mjs, imports rewritten to .js) with plain node.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

if (existsSync(new URL('../workload/focal-plane.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { makeImage, summarize, correctInPlace, sha1Of } = await import('../workload/focal-plane.ts');

const { indices, width, height, cpuPasses } = workerData;
const images = indices.map((index) => makeImage(index, width, height));

parentPort.on('message', (message) => {
  if (message.kind === 'summarize') {
    parentPort.postMessage({ kind: 'summaries', summaries: images.map((image) => summarize(image, cpuPasses)) });
  } else if (message.kind === 'apply') {
    images.forEach((image, k) => correctInPlace(image, message.correction, indices[k]));
    parentPort.postMessage({ kind: 'applied' });
  } else if (message.kind === 'finish') {
    parentPort.postMessage({ kind: 'outputs', outputs: images.map((image, k) => ({ index: indices[k], sha1: sha1Of(image) })) });
  }
});
parentPort.postMessage({ kind: 'ready' });
