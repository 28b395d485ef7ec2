import type { MemberArrival } from './group-driver.ts';

/** The failure a group reports for a phase: its member index, error and primitive site. */
export type PhaseFailure = { readonly index: number; readonly error: unknown; readonly site: string };

/**
 * How the members of one group ended one phase, and which failure the group reports for it: the one
 * of the lowest member index (contract 4). A member that arrived at the gather may still fail while it
 * waits there, until it is resumed (a cluster member whose worker host is lost), so the failure can be
 * learnt after the phase's end too: `failed` settles as soon as one is known, so the group stops
 * waiting for the rest of the phase or for the central function.
 *
 * Under `onFailure: 'collect'` (`collect`) a failure is the member's own: the phase records it but has
 * no failure of its own. Once `close`d (a gather's quorum or deadline was met), later arrivals are ignored.
 */
export class PhaseArrivals {
  readonly arrivals: (MemberArrival | undefined)[];
  /** Resolves (with undefined) once the phase has a failure; never rejects. */
  readonly failed: Promise<undefined>;
  readonly #unwatch: (() => void)[] = [];
  #failure: PhaseFailure | undefined;
  #settle!: (none: undefined) => void;
  readonly #collect: boolean;
  #closed = false;

  constructor(members: number, collect = false) {
    this.#collect = collect;
    this.arrivals = Array.from({ length: members }, () => undefined);
    this.failed = new Promise((resolve) => (this.#settle = resolve));
  }

  get failure(): PhaseFailure | undefined {
    return this.#failure;
  }

  /** Records how member `i` ended its phase (or failed while waiting). True when its failure is now the phase's. */
  arrive(i: number, arrival: MemberArrival): boolean {
    if (this.#closed) return false;
    this.arrivals[i] = arrival;
    if (this.#collect || arrival.kind !== 'failed' || (this.#failure && this.#failure.index < i)) return false;
    this.#failure = { index: i, error: arrival.error, site: arrival.site };
    this.#settle(undefined);
    return true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Ignores every later arrival: the phase's membership is decided. */
  close(): void {
    this.#closed = true;
  }

  /** Keeps a watch on a waiting member until the members are resumed or the group ends (`endWatches`). */
  addWatch(unwatch: () => void): void {
    this.#unwatch.push(unwatch);
  }

  /** Stops every watch: from here on, a member's failure shows in its next step. Idempotent. */
  endWatches(): void {
    for (const unwatch of this.#unwatch.splice(0)) unwatch();
  }
}
