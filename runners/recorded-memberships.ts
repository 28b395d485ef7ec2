/**
 * For `skyloom replay`: the memberships a recorded run decided for its `'collect'` groups (which
 * members each collective had, once some had left), and the error each member that failed was
 * recorded with. A replayed unit's children run live; with these, a group whose gathers had a quorum
 * or deadline leaves out the members the recorded run left out, with their recorded errors (late,
 * say), instead of letting today's timing decide again.
 *
 * It reads the ledger once, before the replay; it does not replay anything itself. Groups under
 * `'fail'` record no membership (a late member failed the group before any collective completed).
 */
import { ErrorCode, SkyloomError } from '../lib/errors.ts';
import type { LedgerDb } from '../lib/ledger/ledger-db.ts';
import type { GroupLayer } from './shared/group-layer.ts';

/** Reads them; the function it returns gives a group's layer, deciding each recorded collective's membership. */
export function readRecordedMemberships(db: LedgerDb): (group: string, paths: readonly string[]) => GroupLayer | undefined {
  const memberships = new Map<string, Map<number, readonly number[]>>();
  for (const r of db.all<{ grp: string; number: number; live: string }>('SELECT grp, number, live FROM collectives WHERE live IS NOT NULL')) {
    let byNumber = memberships.get(r.grp);
    if (!byNumber) memberships.set(r.grp, (byNumber = new Map()));
    byNumber.set(r.number, JSON.parse(r.live) as number[]);
  }
  const failures = new Map<string, { code: string; message: string; site: string }>();
  for (const r of db.all<{ path: string; code: string; message: string; site: string }>(
    `SELECT path, error_code AS code, error_message AS message, error_site AS site FROM units WHERE status = 'failed'`,
  )) failures.set(r.path, r);
  return (group, paths) => {
    const byNumber = memberships.get(group);
    if (!byNumber) return undefined;
    const leftWith = (i: number, site: string): SkyloomError => {
      const path = paths[i] as string;
      const f = failures.get(path);
      return new SkyloomError((f?.code as ErrorCode | undefined) ?? ErrorCode.NotAMember, f?.message ?? `${path} was not a member of the recorded collective at ${site}`, { unitPath: path, site: f?.site ?? site });
    };
    return {
      decided: (number) => {
        const members = byNumber.get(number);
        return members ? { membership: { members, leftWith } } : undefined;
      },
    };
  };
}
