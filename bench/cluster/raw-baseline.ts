/**
 * The focal-plane workload written by hand with raw `worker_threads` (owner computes): sensors are
 * dealt to workers round-robin by blocks, each worker keeps its images, and the main thread only
 * collects summaries in sensor order, runs `fitGlobal` and sends the correction back. This is the
 * physical limit skyloom's cluster runner is compared against. Outputs match the workload's.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { askWorker } from '../workload/ask-worker.ts';
import { fitGlobal, type FocalPlaneParams, type Summary } from '../workload/focal-plane.ts';

interface Message {
  readonly kind: string;
  readonly summaries?: Summary[];
  readonly outputs?: { index: number; sha1: string }[];
}

export async function runRawBaseline(params: FocalPlaneParams, workers: number): Promise<{ index: number; sha1: string }[]> {
  const { sensors, width, height, rounds, cpuPasses } = params;
  const per = Math.ceil(sensors / workers);
  const blocks = Array.from({ length: workers }, (_, w) => Array.from({ length: sensors }, (_, i) => i).slice(w * per, (w + 1) * per)).filter((b) => b.length > 0);
  const threads = blocks.map((indices) => new Worker(new URL('./raw-worker.mjs', import.meta.url), { workerData: { indices, width, height, cpuPasses }, execArgv: [] }));
  const ask = (worker: Worker, message: object): Promise<Message> => askWorker<Message>(worker, message);
  try {
    await Promise.all(threads.map((t) => once(t, 'message')));
    for (let round = 0; round < rounds; round++) {
      const answers = await Promise.all(threads.map((t) => ask(t, { kind: 'summarize' })));
      const correction = fitGlobal(answers.flatMap((a) => a.summaries ?? []));
      await Promise.all(threads.map((t) => ask(t, { kind: 'apply', correction })));
    }
    const finals = await Promise.all(threads.map((t) => ask(t, { kind: 'finish' })));
    return finals.flatMap((f) => f.outputs ?? []);
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
