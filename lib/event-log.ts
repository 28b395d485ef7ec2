import { Subject } from 'rxjs/internal/Subject'; // deep import: see event-stream.ts
import { EventStream } from './event-stream.ts';
import type { RunEvent, RunEventBody } from './events.ts';

/** Default bound of the events a run keeps: about this many bytes of them (~200,000 unit events). */
export const defaultEventWindowBytes = 32 * 2 ** 20;

/** The bounds of the kept window: at most `events` events and about `bytes` bytes of them. */
export interface EventWindow {
  readonly events: number;
  readonly bytes: number;
}

/**
 * The run's event log: the last events, bounded by count and by an estimate of their memory, replayed
 * to a subscriber who comes late (then live ones), and returned with the result. One array holds the
 * window (an rxjs `ReplaySubject` would keep a second copy); an rxjs `Subject` carries live events.
 *
 * A run of 10,000 units × 8 rounds emits ~200,000 events, so a count alone (it was 1,000,000) let the
 * window grow to hundreds of MB on big runs: the byte bound is what keeps it in proportion.
 * It does not cover persisting events (the ledger's timeline does).
 */
export class EventLog {
  readonly stream: EventStream<RunEvent>;
  readonly #live = new Subject<RunEvent>();
  /** The window: `#kept[#head..]`; trimmed in chunks so emitting stays O(1) amortised. */
  readonly #kept: RunEvent[] = [];
  readonly #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  #done = false;
  readonly #window: EventWindow;
  readonly #t0 = performance.now();

  constructor(window: EventWindow) {
    this.#window = window;
    this.stream = new EventStream<RunEvent>((subscriber) => {
      // Replay, then live: synchronous, so no event falls between the two.
      for (let i = this.#head; i < this.#kept.length && !subscriber.closed; i++) subscriber.next(this.#kept[i] as RunEvent);
      if (this.#done) return subscriber.complete();
      return this.#live.subscribe(subscriber);
    });
  }

  readonly emit = (body: RunEventBody): void => {
    const event = { ...body, t: performance.now() - this.#t0 } as RunEvent;
    const size = eventBytes(event);
    this.#kept.push(event);
    this.#sizes.push(size);
    this.#bytes += size;
    while (this.#kept.length - this.#head > this.#window.events || (this.#bytes > this.#window.bytes && this.#kept.length - this.#head > 1)) {
      this.#bytes -= this.#sizes[this.#head] as number;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#kept.length) {
      this.#kept.splice(0, this.#head);
      this.#sizes.splice(0, this.#head);
      this.#head = 0;
    }
    if (this.#live.observed) this.#live.next(event); // rxjs builds a closure per `next`: skip it when nobody listens
  };

  /** The kept window, oldest first. */
  kept(): readonly RunEvent[] {
    return this.#kept.slice(this.#head);
  }

  /** Estimated bytes of the kept window. */
  get bytes(): number {
    return this.#bytes;
  }

  complete(): void {
    this.#done = true;
    this.#live.complete();
  }
}

/**
 * An estimate of what one event holds: the object (~10 slots), its path and, for the events that
 * carry one, its message (2 bytes a character: a bound, V8 keeps ASCII in one).
 */
function eventBytes(event: RunEvent): number {
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
      return 160 + 2 * event.path.length;
    default:
      return 160;
  }
}
