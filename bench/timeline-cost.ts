/**
 * The timeline recorder's own work, measured apart from a run's noise (for bench/ledger): the events of
 * one recorded run replayed through a fresh `TimelineRecorder` into a fresh ledger database, with the
 * batch committed; and the cost of one memory sample with its share of the batch commits.
 */
import { mkdirSync } from 'node:fs';
import type { RunEvent } from '../lib/index.ts';
import { LedgerDb } from '../lib/ledger/ledger-db.ts';
import { TimelineRecorder } from '../lib/ledger/timeline-recorder.ts';

/** Milliseconds of CPU time (user + system) since `from`: unlike wall time, not inflated by waiting on a loaded machine. */
const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
};

/** Wall and CPU time of the recorder's work (CPU is the fair measure against a run's CPU time on a loaded machine). */
export function timelineCost(events: readonly RunEvent[], dir: string): { eventsMs: number; eventsCpuMs: number; sampleUs: number; sampleCpuUs: number } {
  mkdirSync(dir, { recursive: true });
  const db = LedgerDb.create(dir);
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const recorder = new TimelineRecorder(db);
    recorder.start();
    for (const e of events) recorder.record(e, e.t); // as the run's event tap calls it
    recorder.stop();
    db.flush();
    const eventsMs = performance.now() - t0;
    const eventsCpuMs = cpuMsSince(cpu0);
    // Samples as the timer takes them: written into the queue, committed with the next batch.
    const rounds = 1000;
    const sampler = new TimelineRecorder(db);
    const t1 = performance.now();
    const cpu1 = process.cpuUsage();
    for (let i = 0; i < rounds; i++) {
      sampler.sample();
      if (i % 10 === 9) db.flush(); // ~ one 25 ms batch every few samples: more commits than a run makes
    }
    db.flush();
    return { eventsMs, eventsCpuMs, sampleUs: ((performance.now() - t1) / rounds) * 1000, sampleCpuUs: (cpuMsSince(cpu1) / rounds) * 1000 };
  } finally {
    db.close();
  }
}
