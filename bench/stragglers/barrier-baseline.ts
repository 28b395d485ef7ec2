/**
 * The barrier-style baseline, by hand with raw `worker_threads`: visits one after another; in each
 * round every worker runs its share of the visit's sensors (dealt round-robin), the main thread waits
 * for all of them (the barrier at each gather), runs the central step, sends its result back, and the
 * next round starts. A worker whose share was cheaper idles at each barrier: what an MPI-style or
 * process-pool pipeline does. Its states equal skyloom's (same kernel, same arithmetic).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { askWorker } from '../workload/ask-worker.ts';
import { centralRound, type StragglerParams, type VisitOutcome } from './workload.ts';

interface Message {
  readonly kind: string;
  readonly values?: { sensor: number; value: number }[];
  readonly busyMs?: number;
  readonly states?: [number, number][];
}

export async function runBarrierBaseline(params: StragglerParams, workers: number): Promise<VisitOutcome[]> {
  const threads = Array.from({ length: workers }, () => new Worker(new URL('./barrier-worker.mjs', import.meta.url), { execArgv: [] }));
  const ask = (worker: Worker, message: object): Promise<Message> => askWorker<Message>(worker, message);
  try {
    await Promise.all(threads.map((t) => once(t, 'message')));
    const outcomes: VisitOutcome[] = [];
    for (let visit = 0; visit < params.visits; visit++) {
      const job = { ...params, visit };
      const shares = threads.map((_, w) => Array.from({ length: params.sensors }, (_, s) => s).filter((s) => s % workers === w));
      await Promise.all(threads.map((t, w) => ask(t, { kind: 'visit', sensors: shares[w] })));
      let busyMs = 0;
      let finals: Message[] = [];
      for (let round = 0; round < params.rounds; round++) {
        const answers = await Promise.all(threads.map((t, w) => ask(t, { kind: 'round', job, round, sensors: shares[w] })));
        const values = answers.flatMap((a) => a.values ?? []).sort((a, b) => a.sensor - b.sensor);
        busyMs += answers.reduce((n, a) => n + (a.busyMs ?? 0), 0);
        const central = centralRound(values.map((v) => v.value), params.centralIterations);
        busyMs += central.ms;
        finals = await Promise.all(threads.map((t) => ask(t, { kind: 'apply', central: central.value })));
      }
      const states = finals.flatMap((f) => f.states ?? []).sort((a, b) => a[0] - b[0]).map(([, state]) => state);
      outcomes.push({ visit, states, busyMs });
    }
    return outcomes;
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
