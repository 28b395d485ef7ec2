/**
 * A host's events on their way to the coordinator, in a compact form. Each event is three integers
 * (`codes`): a unit event's type (its index in `unitEventTypes`), its path and its site as numbers in
 * the answer's string table (each string once per answer: `strings`); any other event is `-1` and
 * its body travels as it is (`bodies`). Each event's time on the host's clock is in one
 * `Float64Array`, and the host's label once per answer.
 *
 * Why: a step of the focal-plane workload reports two events, and each used to be stamped on the
 * host as an object of its own plus an `origin` object (`{ ...body, origin: { host, at } }`), cloned
 * object by object into the answer, and arrived on the coordinator with fresh copies of its path and
 * site strings, which the run's event window then kept: at N=10,000 the coordinator's young
 * generation was full of them and every scavenge copied them (measured: ~5 s of scavenges in a 19 s
 * run, little of what they scanned dying). Now the host allocates nothing per unit event beyond the
 * unit's own body, the clone carries two typed arrays and each string once, and the coordinator
 * swaps each string for its own copy (`HostEventReader` interns them): the events it keeps share one
 * path string per unit, and the fresh copies die young. The coordinator builds each event, with its
 * `origin`, when it emits it: the run's events are the same as before, in the same order.
 *
 * Each answer carries its own table, so an answer that never arrives (its host lost, its result not
 * cloneable) leaves nothing out of step. It does not decide which events a host reports (the unit
 * and the store do) nor keep them once sent.
 */
import type { Emit, RunEventBody } from '../../lib/events.ts';

/** The unit events that travel as numbers: type, path and (paused, resumed) site. */
const unitEventTypes = ['unit-started', 'unit-paused', 'unit-resumed', 'unit-finished', 'unit-cancelled'] as const;
type UnitEventType = (typeof unitEventTypes)[number];
type UnitEvent = Extract<RunEventBody, { type: UnitEventType }>;

/** A host's events since its previous answer (see the module comment). */
export interface WireEvents {
  /** The host's name in every event's `origin` (`worker 1`, `slurm task 0 on node-a`). */
  readonly host: string;
  /** Each event's `origin.at`: epoch milliseconds (fractional) on the host's clock. */
  readonly at: Float64Array;
  /** Three per event: type (index in `unitEventTypes`, or -1: the next of `bodies`), path, site (-1: none) as indices in `strings`. */
  readonly codes: Int32Array;
  /** The events that are not unit events, in order. */
  readonly bodies: readonly RunEventBody[];
  /** The answer's string table: the paths and sites its unit events name, each once. */
  readonly strings: readonly string[];
}

/** Collects a host's events with their times until the next answer takes them (`drain`). */
export class HostEvents {
  readonly #host: string;
  /** `Date.now()`'s epoch less `performance.now()` (read once: `performance.timeOrigin` is off by ms in a fresh thread). */
  readonly #epoch = Date.now() - performance.now();
  /** This answer's string table, by string. */
  readonly #ids = new Map<string, number>();
  #strings: string[] = [];
  #codes: number[] = [];
  #at: number[] = [];
  #bodies: RunEventBody[] = [];

  constructor(host: string) {
    this.#host = host;
  }

  /** Records `e` as happening now on this host. */
  readonly emit = (e: RunEventBody): void => {
    this.#at.push(this.#epoch + performance.now());
    const type = e.origin === undefined ? unitEventTypes.indexOf(e.type as UnitEventType) : -1;
    if (type < 0) {
      this.#codes.push(-1, -1, -1);
      this.#bodies.push(e);
      return;
    }
    const unit = e as UnitEvent;
    this.#codes.push(type, this.#id(unit.path), 'site' in unit ? this.#id(unit.site) : -1);
  };

  /** The events recorded since the last drain, oldest first; none are kept. */
  drain(): WireEvents {
    const events = { host: this.#host, at: Float64Array.from(this.#at), codes: Int32Array.from(this.#codes), bodies: this.#bodies, strings: this.#strings };
    this.#at = [];
    this.#codes = [];
    this.#bodies = [];
    this.#strings = [];
    this.#ids.clear();
    return events;
  }

  #id(text: string): number {
    let id = this.#ids.get(text);
    if (id === undefined) {
      id = this.#strings.length;
      this.#ids.set(text, id);
      this.#strings.push(text);
    }
    return id;
  }
}

/** The coordinator's side of one host's events: each answer's events emitted in order, with one copy of each string. */
export class HostEventReader {
  /** Every path and site this host has reported, one copy each (a path per unit, a few sites). */
  readonly #interned = new Map<string, string>();

  /** Emits the events of one answer, each with its `origin`. */
  emit(events: WireEvents, emit: Emit): void {
    const { host, at, codes, bodies } = events;
    const strings = events.strings.map((text) => this.#intern(text));
    let body = 0;
    for (let i = 0; i < at.length; i++) {
      const origin = { host, at: at[i] as number };
      const type = codes[3 * i] as number;
      if (type < 0) {
        emit({ ...(bodies[body++] as RunEventBody), origin });
        continue;
      }
      const path = strings[codes[3 * i + 1] as number] as string;
      const site = codes[3 * i + 2] as number;
      const unitType = unitEventTypes[type] as UnitEventType;
      emit((site < 0 ? { type: unitType, path, origin } : { type: unitType, path, site: strings[site], origin }) as RunEventBody);
    }
  }

  #intern(text: string): string {
    const known = this.#interned.get(text);
    if (known !== undefined) return known;
    this.#interned.set(text, text);
    return text;
  }
}
