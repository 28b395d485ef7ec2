/**
 * Which units a budgeted host's resident bytes belong to. Visits (any children of the root) run at
 * once on the cluster runner and share each host's store, so the store's own figures cannot say how
 * much of it one visit holds; this does, by the root's child whose units put each ref: it follows
 * every ref from its `put` through its drop from memory once spilled, its read back (spill-in), `take`
 * and free, and tags the store's events —
 * a spill with the unit that put the ref, a memory sample with its host and the resident bytes by
 * root child (`root/visit:3`, or `root` for the root's own refs).
 *
 * It does not count what the store holds besides refs' values (spare buffers kept for reuse) nor
 * values outside the store (borrowed copies of other hosts' refs, scratch arrays).
 */
import type { RunEventBody } from '../../lib/events.ts';

interface Tracked {
  readonly path: string;
  readonly key: string;
  readonly bytes: number;
  resident: boolean;
}

export class ResidentByUnit {
  readonly #host: number;
  readonly #refs = new Map<string, Tracked>();
  readonly #resident = new Map<string, number>();

  constructor(hostId: number) {
    this.#host = hostId;
  }

  /** `path` put ref `id` of `bytes`: resident now. */
  put(id: string, path: string, bytes: number): void {
    if (this.#refs.has(id)) return;
    const tracked = { path, key: rootChild(path), bytes, resident: false };
    this.#refs.set(id, tracked);
    this.#set(tracked, true);
  }

  /** The ref's value left memory (it is on disk only). */
  dropped(id: string): void {
    const tracked = this.#refs.get(id);
    if (tracked) this.#set(tracked, false);
  }

  /** The ref is gone (freed, or taken back by its unit). */
  gone(id: string): void {
    const tracked = this.#refs.get(id);
    if (!tracked) return;
    this.#set(tracked, false);
    this.#refs.delete(id);
  }

  /** Resident bytes by root child now (what the coordinator's admission weighs: `admission.ts`). */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#resident);
  }

  /** The store's event, with what this host knows added. */
  tag(event: RunEventBody): RunEventBody {
    if (event.type === 'spill-out' || event.type === 'spill-in') {
      const tracked = this.#refs.get(event.ref);
      if (!tracked) return event;
      if (event.type === 'spill-in') this.#set(tracked, true); // a spill-out is a write: the value stays until dropped
      return { ...event, path: tracked.path };
    }
    if (event.type === 'memory') return { ...event, host: this.#host, units: Object.fromEntries(this.#resident) };
    return event;
  }

  #set(tracked: Tracked, resident: boolean): void {
    if (tracked.resident === resident) return;
    tracked.resident = resident;
    const now = (this.#resident.get(tracked.key) ?? 0) + (resident ? tracked.bytes : -tracked.bytes);
    if (now === 0) this.#resident.delete(tracked.key);
    else this.#resident.set(tracked.key, now);
  }
}

/** `root/visit:3/sensor:1` → `root/visit:3`; `root` → `root`; another thread's borrower (`host:0/adopt#1`) → itself's first part. */
export function rootChild(path: string): string {
  const parts = path.split('/');
  return parts[0] === 'root' && parts.length > 1 ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}
