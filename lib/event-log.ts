import { ReplaySubject } from 'rxjs/internal/ReplaySubject'; // deep import: see event-stream.ts
import { EventStream } from './event-stream.ts';
import type { RunEvent, RunEventBody } from './events.ts';

/**
 * The run's event log: an rxjs ReplaySubject bounded by `window`, so a subscriber who comes late sees
 * the last `window` events first, then live ones; plus the same window kept as an array for the result.
 */
export class EventLog {
  readonly stream: EventStream<RunEvent>;
  readonly #subject: ReplaySubject<RunEvent>;
  readonly #kept: RunEvent[] = [];
  readonly #window: number;
  readonly #t0 = performance.now();

  constructor(window: number) {
    this.#window = window;
    this.#subject = new ReplaySubject<RunEvent>(window);
    const subject = this.#subject;
    this.stream = new EventStream<RunEvent>((subscriber) => subject.subscribe(subscriber));
  }

  readonly emit = (body: RunEventBody): void => {
    const event = { ...body, t: performance.now() - this.#t0 } as RunEvent;
    this.#kept.push(event);
    // Trim in chunks so emitting stays O(1) amortised.
    if (this.#kept.length >= 2 * this.#window) this.#kept.splice(0, this.#kept.length - this.#window);
    this.#subject.next(event);
  };

  /** The last `window` events, oldest first. */
  kept(): readonly RunEvent[] {
    return this.#kept.length > this.#window ? this.#kept.slice(-this.#window) : this.#kept.slice();
  }

  complete(): void {
    this.#subject.complete();
  }
}
