import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';

/** Posts `message` to a hand-written baseline's worker and resolves with its next message (one request at a time per worker). */
export function askWorker<M>(worker: Worker, message: object): Promise<M> {
  const answer = once(worker, 'message') as Promise<[M]>;
  worker.postMessage(message);
  return answer.then(([m]) => m);
}
