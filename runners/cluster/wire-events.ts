/**
 * A host's events on their way to the coordinator, in a compact form: each event's time on the
 * host's clock in one `Float64Array`, and three slots per event: a unit event's type, path and site
 * (`null` for those without one: started, finished, cancelled), or any other event's body and two
 * `null`s. The host's label travels once per answer, not once per event.
 *
 * Why: a step of the focal-plane workload reports two events, and each used to be stamped on the
 * host as an object of its own plus an `origin` object (`{ ...body, origin: { host, at } }`), then
 * cloned object by object into the answer. Strings and one array of doubles are what the structured
 * clone carries cheapest, and the host allocates nothing per event beyond the runner's own body.
 * The coordinator builds each event, with its `origin`, when it emits it (`emitWireEvents`): the
 * run's events are the same as before, in the same order.
 *
 * It does not decide which events a host reports (the unit and the store do) nor keep them once sent.
 */
import type { Emit, RunEventBody } from '../../lib/events.ts';

/** A host's events since its previous answer (see the module comment). */
export interface WireEvents {
  /** The host's name in every event's `origin` (`worker 1`, `slurm task 0 on node-a`). */
  readonly host: string;
  /** Each event's `origin.at`: epoch milliseconds (fractional) on the host's clock. */
  readonly at: Float64Array;
  /** Three per event, in order: type, path and site (or `null`) of a unit event; or a body, `null`, `null`. */
  readonly slots: readonly unknown[];
}

type UnitEventType = 'unit-started' | 'unit-paused' | 'unit-resumed' | 'unit-finished' | 'unit-cancelled';

/** Unit events whose body is exactly type, path and (for pauses and resumes) site. */
function isUnitEvent(e: RunEventBody): e is Extract<RunEventBody, { type: UnitEventType }> {
  return e.type === 'unit-paused' || e.type === 'unit-resumed' || e.type === 'unit-started' || e.type === 'unit-finished' || e.type === 'unit-cancelled';
}

/** Collects a host's events with their times until the next answer takes them (`drain`). */
export class HostEvents {
  readonly #host: string;
  /** `Date.now()`'s epoch less `performance.now()` (read once: `performance.timeOrigin` is off by ms in a fresh thread). */
  readonly #epoch = Date.now() - performance.now();
  #slots: unknown[] = [];
  #at: number[] = [];

  constructor(host: string) {
    this.#host = host;
  }

  /** Records `e` as happening now on this host. */
  readonly emit = (e: RunEventBody): void => {
    this.#at.push(this.#epoch + performance.now());
    if (isUnitEvent(e) && e.origin === undefined) this.#slots.push(e.type, e.path, 'site' in e ? e.site : null);
    else this.#slots.push(e, null, null);
  };

  /** The events recorded since the last drain, oldest first; none are kept. */
  drain(): WireEvents {
    const at = Float64Array.from(this.#at);
    const slots = this.#slots;
    this.#at = [];
    this.#slots = [];
    return { host: this.#host, at, slots };
  }
}

/** Emits a host's events in order, each with its `origin` (that host, and when on its clock). */
export function emitWireEvents(events: WireEvents, emit: Emit): void {
  const { host, at, slots } = events;
  for (let i = 0; i < at.length; i++) {
    const origin = { host, at: at[i] as number };
    const first = slots[3 * i];
    if (typeof first !== 'string') {
      emit({ ...(first as RunEventBody), origin });
      continue;
    }
    const site = slots[3 * i + 2];
    const path = slots[3 * i + 1] as string;
    emit((site === null ? { type: first, path, origin } : { type: first, path, site, origin }) as RunEventBody);
  }
}
