import { Subject } from 'rxjs/internal/Subject'; // deep import: see event-stream.ts
import { EventStream } from './event-stream.ts';
import type { RunEvent, RunEventBody } from './events.ts';

/** Default bound of the events a run keeps: about this many bytes of them (~200,000 unit events). */
export const defaultEventWindowBytes = 32 * 2 ** 20;

/**
 * Told of every event as it is emitted: its body as the runner gave it and its `t`. No `RunEvent`
 * object is built for a tap (a subscriber to `stream` gets one per event); the body must not be kept
 * past the call, and a tap must not throw (it runs inside the runner's `emit`).
 */
export type EventTap = (event: RunEventBody, t: number) => void;

/** The bounds of the kept window: at most `events` events and about `bytes` bytes of them. */
export interface EventWindow {
  readonly events: number;
  readonly bytes: number;
}

/**
 * The run's event log: the last events, bounded by count and by an estimate of their memory, replayed
 * to a subscriber who comes late (then live ones), and returned with the result. One window holds
 * them (an rxjs `ReplaySubject` would keep a second copy); an rxjs `Subject` carries live events.
 *
 * A run of 10,000 units × 8 rounds emits ~200,000 events, so a count alone (it was 1,000,000) let the
 * window grow to hundreds of MB on big runs: the byte bound is what keeps it in proportion.
 *
 * The window keeps what it is given, not event objects: the two events of every step
 * (`unit-resumed`, `unit-paused`, the bulk of a big run's events) as their type, path and site (and
 * a cluster host's origin as its host's name and a number), and
 * any other event's body as it came; the `RunEvent` objects (body and `t`) are built when someone
 * reads them (a subscriber, `kept()`). Every kept event outlives many young-generation collections,
 * so an object per event made every one of them copy it (measured: ~3 µs per unit-round of 4
 * primitives at N=1,024, of ~35 µs of skyloom's own cost). For the same reason the run's layers
 * (the ledger's timeline) are told of events through a tap (`EventTap`: the body and `t` as separate
 * arguments), not as subscribers, which would make the log build every event object. It does not
 * cover persisting events (the ledger's timeline does).
 */
export class EventLog {
  readonly stream: EventStream<RunEvent>;
  readonly #live = new Subject<RunEvent>();
  readonly #taps: EventTap[] = [];
  /**
   * The window, four slots an event from `#head`: a step event's type, path, site and its origin's
   * host (undefined: none), or any other event's body and three empty slots. Trimmed in chunks so
   * emitting stays O(1) amortised.
   */
  readonly #slots: unknown[] = [];
  /** Each kept event's `t`, in the order of `#slots` (a double array: no object per number). */
  readonly #ts: number[] = [];
  /** Each kept step event's `origin.at` when it has an origin (a cluster host's), else NaN. */
  readonly #ats: number[] = [];
  #head = 0;
  #bytes = 0;
  #done = false;
  readonly #window: EventWindow;
  readonly #t0 = performance.now();

  constructor(window: EventWindow) {
    this.#window = window;
    this.stream = new EventStream<RunEvent>((subscriber) => {
      for (let i = this.#head; i < this.#ts.length && !subscriber.closed; i++) subscriber.next(this.#event(i));
      if (this.#done) return subscriber.complete();
      return this.#live.subscribe(subscriber);
    });
  }

  readonly emit = (body: RunEventBody): void => {
    const t = performance.now() - this.#t0;
    if (body.type === 'unit-resumed' || body.type === 'unit-paused') {
      const { origin } = body;
      this.#slots.push(body.type, body.path, body.site, origin?.host);
      this.#ats.push(origin ? origin.at : NaN);
    } else {
      this.#slots.push(body, undefined, undefined, undefined);
      this.#ats.push(NaN);
    }
    this.#ts.push(t);
    this.#bytes += eventBytes(body);
    while (this.#ts.length - this.#head > this.#window.events || (this.#bytes > this.#window.bytes && this.#ts.length - this.#head > 1)) {
      this.#bytes -= this.#sizeAt(this.#head);
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#ts.length) {
      this.#slots.splice(0, 4 * this.#head);
      this.#ts.splice(0, this.#head);
      this.#ats.splice(0, this.#head);
      this.#head = 0;
    }
    for (const tap of this.#taps) tap(body, t);
    if (this.#live.observed) this.#live.next({ ...body, t } as RunEvent); // rxjs builds a closure per `next`: skip it when nobody listens
  };

  /** Tells `tap` of every event emitted from now on (not those already kept). */
  tap(tap: EventTap): void {
    this.#taps.push(tap);
  }

  /** The kept window, oldest first. */
  kept(): readonly RunEvent[] {
    const events: RunEvent[] = [];
    for (let i = this.#head; i < this.#ts.length; i++) events.push(this.#event(i));
    return events;
  }

  /** Estimated bytes of the kept window. */
  get bytes(): number {
    return this.#bytes;
  }

  complete(): void {
    this.#done = true;
    this.#live.complete();
  }

  /** Kept event `i` as a `RunEvent`. */
  #event(i: number): RunEvent {
    const first = this.#slots[4 * i];
    const t = this.#ts[i] as number;
    if (typeof first !== 'string') return { ...(first as RunEventBody), t } as RunEvent;
    const [path, site, host] = [this.#slots[4 * i + 1], this.#slots[4 * i + 2], this.#slots[4 * i + 3]];
    return (host === undefined ? { type: first, path, site, t } : { type: first, path, site, origin: { host, at: this.#ats[i] }, t }) as RunEvent;
  }

  /** The estimated bytes of kept event `i` (`eventBytes` of its body). */
  #sizeAt(i: number): number {
    const first = this.#slots[4 * i];
    return typeof first === 'string' ? stepEventBytes(this.#slots[4 * i + 1] as string) : eventBytes(first as RunEventBody);
  }
}

/**
 * An estimate of what one event holds: the object (~10 slots), its path and, for the events that
 * carry one, its message (2 bytes a character: a bound, V8 keeps ASCII in one).
 */
function eventBytes(event: RunEventBody): number {
  switch (event.type) {
    case 'log':
    case 'warning':
    case 'unit-failed':
      return 160 + 2 * (event.path.length + event.message.length);
    case 'unit-started':
    case 'unit-paused':
    case 'unit-resumed':
    case 'unit-finished':
    case 'unit-cancelled':
      return stepEventBytes(event.path);
    default:
      return 160;
  }
}

/** `eventBytes` of an event that carries a path and nothing longer. */
function stepEventBytes(path: string): number {
  return 160 + 2 * path.length;
}
