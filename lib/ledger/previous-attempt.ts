import type { LedgerDb } from './ledger-db.ts';

/** What one group's earlier attempt left that a resumed run can use, by object id. */
export interface RecalledGroup {
  readonly finished: ReadonlyMap<number, string>;
  readonly collectives: readonly string[];
  /** The members each collective had, when some had left the group (`onFailure: 'collect'`). */
  readonly memberships: readonly (readonly number[] | undefined)[];
}

/**
 * What the ledger held when a run was resumed: finished units' outputs, completed collectives, and
 * how many collective replies each unit received. Read once at open, so recalls never see this
 * attempt's own writes.
 *
 * A unit above a group whose failed members were collected (`onFailure: 'collect'`, recorded in
 * `left_members`) is not recalled even if it finished: a resume re-runs it so that the failed members
 * are retried, while its other finished descendants are recalled.
 */
export class PreviousAttempt {
  readonly #outputs = new Map<string, string>();
  readonly #replies = new Map<string, number>();
  readonly #collectives = new Map<string, Map<number, string>>();
  readonly #memberships = new Map<string, readonly number[]>();

  constructor(db: LedgerDb) {
    const leftIn = db.all<{ grp: string }>('SELECT grp FROM left_members').map((r) => r.grp);
    for (const r of db.all<{ path: string; output_digest: string }>(`SELECT path, output_digest FROM units WHERE status = 'finished' AND output_digest IS NOT NULL`)) {
      if (!leftIn.some((group) => group.startsWith(`${r.path}/`))) this.#outputs.set(r.path, r.output_digest);
    }
    for (const r of db.all<{ path: string; n: number }>('SELECT path, count(*) AS n FROM replies GROUP BY path')) this.#replies.set(r.path, r.n);
    for (const r of db.all<{ grp: string; number: number; result_digest: string; live: string | null }>('SELECT grp, number, result_digest, live FROM collectives')) {
      let byNumber = this.#collectives.get(r.grp);
      if (!byNumber) this.#collectives.set(r.grp, (byNumber = new Map()));
      byNumber.set(r.number, r.result_digest);
      if (r.live !== null) this.#memberships.set(`${r.grp}#${r.number}`, JSON.parse(r.live) as number[]);
    }
  }

  get finishedUnits(): number {
    return this.#outputs.size;
  }

  /**
   * The members of `group` that finished, and the collectives they went through. A partly finished
   * group can only be resumed if every one of those collectives was recorded; otherwise (a failed
   * central, say) nothing is recalled and the whole group runs again.
   */
  group(group: string, paths: readonly string[]): RecalledGroup | undefined {
    const finished = new Map<number, string>();
    paths.forEach((path, i) => {
      const digest = this.#outputs.get(path);
      if (digest !== undefined) finished.set(i, digest);
    });
    if (finished.size === 0) return undefined;
    if (finished.size === paths.length) return { finished, collectives: [], memberships: [] };
    const count = Math.max(...[...finished.keys()].map((i) => this.#replies.get(paths[i] as string) ?? 0));
    const recorded = this.#collectives.get(group);
    const collectives: string[] = [];
    const memberships: (readonly number[] | undefined)[] = [];
    for (let n = 1; n <= count; n++) {
      const digest = recorded?.get(n);
      if (digest === undefined) return undefined;
      collectives.push(digest);
      memberships.push(this.#memberships.get(`${group}#${n}`));
    }
    return { finished, collectives, memberships };
  }
}
