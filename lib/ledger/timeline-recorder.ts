import type { RunEvent, RunEventBody } from '../events.ts';
import type { LedgerDb } from './ledger-db.ts';

/**
 * Tables of what happened when, for the run report (`skyloom report`). Times are epoch milliseconds
 * (fractional), on the same clock as `units.started`/`units.ended`. Created by the recorder, so an
 * older ledger simply lacks them (readers check). Not part of resume: nothing here is read back.
 */
const schema = `
CREATE TABLE IF NOT EXISTS steps (path TEXT NOT NULL, started REAL NOT NULL, ended REAL NOT NULL, ending TEXT NOT NULL, site TEXT, host TEXT);
CREATE TABLE IF NOT EXISTS gathers (grp TEXT NOT NULL, number INTEGER NOT NULL, members INTEGER NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
  at REAL NOT NULL, resident REAL, resident_peak REAL, spilled REAL, budget REAL,
  spill_out REAL NOT NULL, spill_in REAL NOT NULL, rss REAL NOT NULL, heap REAL NOT NULL, array_buffers REAL NOT NULL,
  held REAL, held_peak REAL);
`;

/** Columns added since the tables were first written: a resumed older ledger gets them. */
const addedColumns = [
  ['steps', 'host', 'TEXT'],
  ['samples', 'held', 'REAL'],
  ['samples', 'held_peak', 'REAL'],
] as const;

/** How often memory is sampled: often enough to see a visit's phases, cheap enough not to matter. */
export const sampleIntervalMs = 100;

/** The host of steps run on the run's own thread (inline, laptop, the cluster coordinator). */
export const mainThread = 'main thread';

const insertStep = 'INSERT INTO steps(path, started, ended, ending, site, host) VALUES (?, ?, ?, ?, ?, ?)';

type Ending = 'paused' | 'finished' | 'failed' | 'cancelled';
const endings: Partial<Record<RunEvent['type'], Ending>> = {
  'unit-paused': 'paused',
  'unit-finished': 'finished',
  'unit-failed': 'failed',
  'unit-cancelled': 'cancelled',
};

/**
 * Date.now() − performance.now(), to within ~0.5 ms: of a few readings, the one whose two
 * performance.now() stamps around Date.now() lie closest (a thread preempted between the two clocks
 * on a loaded machine put the whole timeline ms early), centred for Date.now()'s truncation to 1 ms.
 */
function wallClockEpoch(): number {
  let best = { gap: Infinity, epoch: 0 };
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const wall = Date.now();
    const after = performance.now();
    if (after - before < best.gap) best = { gap: after - before, epoch: wall + 0.5 - (before + after) / 2 };
  }
  return best.epoch;
}

/**
 * Records, from the run's own event stream, every unit step (from its start or resume to its next
 * pause or end), every completed collective, and a memory sample every `sampleIntervalMs`: the
 * store's resident, spilled and held (scratch arrays, taken values) bytes and budget (resident and held
 * also as their peak since the last sample, from the `memory` events of budgeted stores), cumulative bytes spilled out and read back, and the process's
 * RSS, V8 heap and ArrayBuffer bytes. Writes go through `LedgerDb`'s batches, off the critical path.
 *
 * Each step is recorded with the host that ran it: the `origin` a worker host stamps on its events
 * (with the time on its clock, so a host's steps keep their length though they reach the coordinator
 * later), or `mainThread`. Memory events of several hosts are summed (each host's latest).
 *
 * Events come through `record`, the run's event tap (`EventTap` in `lib/event-log.ts`): the body as
 * the runner emitted it and its `t`, so recording makes the event log build no object per event.
 */
export class TimelineRecorder {
  readonly #db: LedgerDb;
  readonly #open = new Map<string, { readonly at: number; readonly host: string }>();
  /**
   * Date.now() − performance.now(), taken once: the units' clock is Date.now(), and
   * `performance.timeOrigin + performance.now()` differs from it by several ms in a fresh process.
   */
  readonly #epoch = wallClockEpoch();
  /** performance.now() at the event log's t = 0. */
  #logOrigin: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The latest `memory` event of each host (its resident and spilled bytes and budget). */
  readonly #memory = new Map<string, { resident: number; spilled: number; budget: number; held: number }>();
  /** Peaks since the previous sample of the hosts' summed resident and held bytes. */
  #peak = 0;
  #heldPeak = 0;
  #spillOut = 0;
  #spillIn = 0;

  constructor(db: LedgerDb) {
    this.#db = db;
    db.db.exec(schema);
    for (const [table, column, type] of addedColumns) {
      if (!db.all<{ name: string }>(`PRAGMA table_info(${table})`).some((c) => c.name === column)) db.db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  }

  /** Starts the memory samples (one now, then every `sampleIntervalMs`) and the recording of events given to `record`. */
  start(): void {
    this.#timer = setInterval(() => this.sample(), sampleIntervalMs).unref();
    this.sample();
  }

  /** Takes a last sample and stops; steps still open (a cancelled run) are closed as cancelled. */
  stop(): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    const now = this.#now();
    for (const [path, open] of this.#open) this.#db.write(insertStep, path, open.at, now, 'cancelled', null, open.host);
    this.#open.clear();
    this.sample();
  }

  /**
   * Records one event of the run (an `EventTap`: told synchronously as the event is emitted, with the
   * event log's `t`); ignored before `start` and after `stop`.
   */
  readonly record = (event: RunEventBody, t: number): void => {
    if (!this.#timer) return;
    // Events arrive synchronously from `emit`, so the first one tells when the log's t = 0 was.
    const logged = this.#epoch + (this.#logOrigin ??= performance.now() - t) + t;
    const at = event.origin?.at ?? logged;
    switch (event.type) {
      case 'unit-started':
      case 'unit-resumed':
        this.#open.set(event.path, { at, host: event.origin?.host ?? mainThread });
        return;
      case 'memory': {
        const host = event.origin?.host ?? mainThread;
        let latest = this.#memory.get(host);
        if (!latest) this.#memory.set(host, (latest = { resident: 0, spilled: 0, budget: 0, held: 0 }));
        // Updated in place: no object per event.
        latest.resident = event.resident;
        latest.spilled = event.spilled;
        latest.budget = event.budget;
        latest.held = event.held ?? 0;
        this.#peak = Math.max(this.#peak, this.#total('resident'));
        this.#heldPeak = Math.max(this.#heldPeak, this.#total('held'));
        return;
      }
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
        const open = this.#open.get(event.path);
        this.#open.delete(event.path);
        const site = 'site' in event ? event.site : null;
        // A unit failed by the coordinator (its host was lost) ends on the coordinator's clock, after its start on the host's.
        const host = open?.host ?? event.origin?.host ?? mainThread;
        this.#db.write(insertStep, event.path, open?.at ?? at, Math.max(at, open?.at ?? at), ending, site, host);
      }
    }
  };

  /** Takes one memory sample now (the timer does, every `sampleIntervalMs`). */
  sample(): void {
    const known = this.#memory.size > 0;
    const [resident, held] = [this.#total('resident'), this.#total('held')];
    const usage = process.memoryUsage();
    this.#db.write(
      'INSERT INTO samples(at, resident, resident_peak, spilled, budget, spill_out, spill_in, rss, heap, array_buffers, held, held_peak) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      this.#now(), known ? resident : null, known ? Math.max(this.#peak, resident) : null, known ? this.#total('spilled') : null, known ? this.#total('budget') : null,
      this.#spillOut, this.#spillIn, usage.rss, usage.heapUsed, usage.arrayBuffers, known ? held : null, known ? Math.max(this.#heldPeak, held) : null,
    );
    this.#peak = resident;
    this.#heldPeak = held;
  }

  /** The sum over hosts of their latest memory figure. */
  #total(key: 'resident' | 'spilled' | 'budget' | 'held'): number {
    let sum = 0;
    for (const m of this.#memory.values()) sum += m[key];
    return sum;
  }

  #now(): number {
    return this.#epoch + performance.now();
  }
}
