/**
 * How many of the run's top-level members (the children of the root's scatter: the visits) are in
 * flight at once on the cluster runner. All of them at once keeps hosts busy while some wait at a
 * gather (bench/stragglers), but with many visits and a memory budget their data would outgrow the
 * hosts' stores and spill: in-flight work must not outrun memory. A member is *admitted* before its
 * first step, in member order, and holds its slot until it ends, is cancelled, or first waits at a
 * gather of its own group (a collective needs every member: the others must then be let in).
 *
 * A member is admitted while fewer than `maxInFlight` are in flight (when given), and, under a memory
 * budget, while the budget has room for it:
 *
 *     bytes the hosts' stores hold now
 *   + for each member in flight, what it may still grow to (the estimate less what it holds, if more)
 *   + the estimate, for the newcomer                                             ≤ the run's budget
 *
 * The estimate is the most resident bytes a top-level member held over its whole life, among those
 * that ended, or what one in flight has held, if more: summed over hosts from the hosts' own accounts
 * by root child (`resident-by-unit.ts`). A member just admitted holds nothing yet: admitting on that
 * let every visit in at once. So until one has ended, one member per host is admitted at once (each
 * host gets work, and siblings spread over the hosts), and beyond that one more only once every member
 * in flight has *settled* — a collective of its descendants has completed (its sensors reached their
 * first gather, their data put), or it waits at a gather itself — and at most twice as many as there
 * are hosts (enough for a host to run another visit's ready units while one waits). If the members
 * that ended held nothing, memory limits nothing. One member is always admitted when none is in
 * flight, so the run goes on even if one visit alone needs more than the budget (its store spills, as
 * on the laptop runner).
 *
 * It decides admission only. It does not place units, measure memory itself, nor bound anything below
 * the top level (a visit's sensors all run once the visit is admitted). Which members are admitted
 * when changes no result: only the order in which hosts run ready steps.
 */
export interface AdmissionSettings {
  /** Most top-level members in flight at once; undefined: no fixed limit. */
  readonly maxInFlight: number | undefined;
  /** The run's whole memory budget in bytes; undefined: unbudgeted (memory does not limit admission). */
  readonly budget: number | undefined;
  /** Number of hosts (the cap while no footprint is known is twice this). */
  readonly hosts: number;
}

interface Waiter {
  readonly index: number;
  readonly admit: () => void;
}

export class Admission {
  readonly #settings: AdmissionSettings;
  /** Admitted members' root-child keys (`root/visit:3`), still holding their slot. */
  readonly #inFlight = new Set<string>();
  readonly #waiting: Waiter[] = [];
  /** Resident bytes by root child, per host, as each host last reported. */
  readonly #byHost = new Map<number, Readonly<Record<string, number>>>();
  /** Most bytes each member in flight has held at once so far (summed over hosts). */
  readonly #peaks = new Map<string, number>();
  /** Members in flight a collective of whose descendants has completed: what they hold shows. */
  readonly #settled = new Set<string>();
  #estimate = 0;
  #ended = 0;
  /** Most top-level members in flight at once over the run (for tests and figures). */
  peakInFlight = 0;

  constructor(settings: AdmissionSettings) {
    this.#settings = settings;
  }

  /** True when this admission can hold anyone back (else a runner need not use it). */
  get limits(): boolean {
    return this.#settings.maxInFlight !== undefined || this.#settings.budget !== undefined;
  }

  /**
   * Resolves once member `index` (its path `key`) may take its first step; members waiting are let in
   * lowest index first. Resolves false, without admitting it, if `signal` aborts first.
   */
  acquire(key: string, index: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.#waiting.length === 0 && this.#fits()) {
      this.#admit(key);
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        index,
        admit: () => {
          signal.removeEventListener('abort', onAbort);
          this.#admit(key);
          resolve(true);
        },
      };
      const onAbort = (): void => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        resolve(false);
        this.#pump(); // a waiter ahead of others may have been the one that did not fit
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const at = this.#waiting.findIndex((w) => w.index > index);
      this.#waiting.splice(at < 0 ? this.#waiting.length : at, 0, waiter);
      this.#pump();
    });
  }

  /** Member `key` gives its slot back (it ended, was cancelled, or waits at its group's gather). Idempotent. */
  release(key: string, ended: boolean): void {
    if (!this.#inFlight.delete(key)) return;
    if (ended) {
      this.#ended++;
      this.#estimate = Math.max(this.#estimate, this.#peaks.get(key) ?? 0);
    }
    this.#peaks.delete(key);
    this.#settled.delete(key);
    this.#pump();
  }

  /** A collective of group `group` completed: the top-level member it descends from has settled. */
  collectiveCompleted(group: string): void {
    const key = group.split('/').slice(0, 2).join('/');
    if (!this.#inFlight.has(key) || this.#settled.has(key)) return;
    this.#settled.add(key);
    this.#pump();
  }

  /** Host `host` reports its store's resident bytes by root child (a budgeted host, with each answer). */
  observe(host: number, byRootChild: Readonly<Record<string, number>>): void {
    this.#byHost.set(host, byRootChild);
    const totals = this.#totals();
    for (const key of this.#inFlight) this.#peaks.set(key, Math.max(this.#peaks.get(key) ?? 0, totals.get(key) ?? 0));
    this.#pump();
  }

  /** The current estimate of one top-level member's most resident bytes. */
  get estimate(): number {
    return this.#currentEstimate();
  }

  #admit(key: string): void {
    this.#inFlight.add(key);
    this.peakInFlight = Math.max(this.peakInFlight, this.#inFlight.size);
  }

  #pump(): void {
    while (this.#waiting.length > 0 && this.#fits()) (this.#waiting.shift() as Waiter).admit();
  }

  #fits(): boolean {
    const inFlight = this.#inFlight.size;
    if (inFlight === 0) return true;
    const { maxInFlight, budget, hosts } = this.#settings;
    if (maxInFlight !== undefined && inFlight >= maxInFlight) return false;
    if (budget === undefined) return true;
    const estimate = this.#currentEstimate();
    if (this.#ended === 0) {
      // Nothing known of a whole member yet: one per host at once (so each host has work and siblings
      // spread over the hosts), then one more only once every one in flight shows what it holds.
      if (inFlight >= 2 * hosts) return false;
      if (inFlight >= hosts) for (const key of this.#inFlight) if (!this.#settled.has(key)) return false;
    }
    return estimate === 0 || this.#projected(estimate) + estimate <= budget; // held nothing so far: nothing to bound
  }

  /** The estimate, raised to what a member in flight has held if that is more. */
  #currentEstimate(): number {
    let estimate = this.#estimate;
    for (const peak of this.#peaks.values()) estimate = Math.max(estimate, peak);
    return estimate;
  }

  /** What the stores hold now, plus what the members in flight may still grow to. */
  #projected(estimate: number): number {
    const totals = this.#totals();
    let bytes = 0;
    for (const held of totals.values()) bytes += held;
    for (const key of this.#inFlight) bytes += Math.max(0, estimate - (totals.get(key) ?? 0));
    return bytes;
  }

  #totals(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const byChild of this.#byHost.values()) for (const [key, bytes] of Object.entries(byChild)) totals.set(key, (totals.get(key) ?? 0) + bytes);
    return totals;
  }
}
