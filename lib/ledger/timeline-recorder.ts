import type { Observable } from 'rxjs/internal/Observable';
import type { Subscription } from 'rxjs/internal/Subscription';
import type { RunEvent } from '../events.ts';
import type { LedgerDb } from './ledger-db.ts';

/**
 * Tables of what happened when, for the run report (`skyloom report`). Times are epoch milliseconds
 * (fractional), on the same clock as `units.started`/`units.ended`. Created by the recorder, so an
 * older ledger simply lacks them (readers check). Not part of resume: nothing here is read back.
 */
const schema = `
CREATE TABLE IF NOT EXISTS steps (path TEXT NOT NULL, started REAL NOT NULL, ended REAL NOT NULL, ending TEXT NOT NULL, site TEXT);
CREATE TABLE IF NOT EXISTS gathers (grp TEXT NOT NULL, number INTEGER NOT NULL, members INTEGER NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
  at REAL NOT NULL, resident REAL, resident_peak REAL, spilled REAL, budget REAL,
  spill_out REAL NOT NULL, spill_in REAL NOT NULL, rss REAL NOT NULL, heap REAL NOT NULL, array_buffers REAL NOT NULL);
`;

/** How often memory is sampled: often enough to see a visit's phases, cheap enough not to matter. */
export const sampleIntervalMs = 100;

type Ending = 'paused' | 'finished' | 'failed' | 'cancelled';
const endings: Partial<Record<RunEvent['type'], Ending>> = {
  'unit-paused': 'paused',
  'unit-finished': 'finished',
  'unit-failed': 'failed',
  'unit-cancelled': 'cancelled',
};

/**
 * Records, from the run's own event stream, every unit step (from its start or resume to its next
 * pause or end), every completed collective, and a memory sample every `sampleIntervalMs`: the
 * store's resident and spilled bytes and budget (latest and peak since the last sample, from the
 * `memory` events of budgeted stores), cumulative bytes spilled out and read back, and the process's
 * RSS, V8 heap and ArrayBuffer bytes. Writes go through `LedgerDb`'s batches, off the critical path.
 *
 * It does not know which thread or host ran a step: events carry no host, and the cluster runner's
 * events are stamped when they reach the coordinator (so its steps there have no length).
 */
export class TimelineRecorder {
  readonly #db: LedgerDb;
  readonly #open = new Map<string, number>();
  /**
   * Date.now() − performance.now(), taken once: the units' clock is Date.now(), and
   * `performance.timeOrigin + performance.now()` differs from it by several ms in a fresh process.
   */
  readonly #epoch = Date.now() - performance.now();
  /** performance.now() at the event log's t = 0. */
  #logOrigin: number | undefined;
  #subscription: Subscription | undefined;
  #timer: NodeJS.Timeout | undefined;
  #memory: { resident: number; spilled: number; budget: number } | undefined;
  #peak = 0;
  #spillOut = 0;
  #spillIn = 0;

  constructor(db: LedgerDb) {
    this.#db = db;
    db.db.exec(schema);
  }

  /** Starts recording `events` (subscribe before the run emits anything, so times are exact). */
  observe(events: Observable<RunEvent>): void {
    this.#subscription = events.subscribe({ next: (event) => this.#record(event) });
    this.#timer = setInterval(() => this.sample(), sampleIntervalMs).unref();
    this.sample();
  }

  /** Takes a last sample and stops; steps still open (a cancelled run) are closed as cancelled. */
  stop(): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#subscription?.unsubscribe();
    const now = this.#now();
    for (const [path, started] of this.#open) this.#db.write('INSERT INTO steps(path, started, ended, ending, site) VALUES (?, ?, ?, ?, NULL)', path, started, now, 'cancelled');
    this.#open.clear();
    this.sample();
  }

  #record(event: RunEvent): void {
    // Events arrive synchronously from `emit`, so the first one tells when the log's t = 0 was.
    const at = this.#epoch + (this.#logOrigin ??= performance.now() - event.t) + event.t;
    switch (event.type) {
      case 'unit-started':
      case 'unit-resumed':
        this.#open.set(event.path, at);
        return;
      case 'memory':
        this.#memory = { resident: event.resident, spilled: event.spilled, budget: event.budget };
        if (event.resident > this.#peak) this.#peak = event.resident;
        return;
      case 'spill-out':
        this.#spillOut += event.bytes;
        return;
      case 'spill-in':
        this.#spillIn += event.bytes;
        return;
      case 'collective-completed':
        this.#db.write('INSERT INTO gathers(grp, number, members, at) VALUES (?, ?, ?, ?)', event.group, event.number, event.members, at);
        return;
      default: {
        const ending = endings[event.type];
        if (!ending || !('path' in event)) return;
        const started = this.#open.get(event.path);
        this.#open.delete(event.path);
        const site = 'site' in event ? event.site : null;
        this.#db.write('INSERT INTO steps(path, started, ended, ending, site) VALUES (?, ?, ?, ?, ?)', event.path, started ?? at, at, ending, site);
      }
    }
  }

  /** Takes one memory sample now (the timer does, every `sampleIntervalMs`). */
  sample(): void {
    const m = this.#memory;
    const usage = process.memoryUsage();
    this.#db.write(
      'INSERT INTO samples(at, resident, resident_peak, spilled, budget, spill_out, spill_in, rss, heap, array_buffers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      this.#now(), m?.resident ?? null, m ? Math.max(this.#peak, m.resident) : null, m?.spilled ?? null, m?.budget ?? null,
      this.#spillOut, this.#spillIn, usage.rss, usage.heapUsed, usage.arrayBuffers,
    );
    this.#peak = m?.resident ?? 0;
  }

  #now(): number {
    return this.#epoch + performance.now();
  }
}
