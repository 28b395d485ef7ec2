import type { Reply } from './activator.ts';
import { describeValue } from './describe-value.ts';
import { ErrorCode, SkyloomError } from './errors.ts';

/** A member that reached the end of its phase without failing: at gather #number, or returned. */
export type CollectiveArrival =
  | {
      readonly kind: 'gather';
      readonly value: unknown;
      readonly centralSite: string;
      readonly perMember: boolean;
      readonly site: string;
      /** The gather's `quorum` / `deadlineMs` options, when given (see `lib/gather.ts`). */
      readonly quorum?: number;
      readonly deadlineMs?: number;
    }
  | { readonly kind: 'returned'; readonly value: unknown; readonly site: string };

export type Resolution =
  | { readonly kind: 'outputs'; readonly outputs: unknown[] }
  | { readonly kind: 'collective'; readonly values: unknown[]; readonly perMember: boolean }
  /** The group fails as if member `index` had failed with `error`. */
  | { readonly kind: 'mismatch'; readonly index: number; readonly error: SkyloomError };

/**
 * Decides what a group does once every member has ended its phase: all returned (outputs), all at
 * the same gather (run the central function), or a mismatch, reported against the lowest-index member
 * at fault. Pure; never throws.
 */
export function resolveCollective(arrivals: readonly CollectiveArrival[], paths: readonly string[]): Resolution {
  const returned = arrivals.findIndex((a) => a.kind === 'returned');
  const waiting = arrivals.findIndex((a) => a.kind === 'gather');
  if (waiting < 0) return { kind: 'outputs', outputs: arrivals.map((a) => a.value) };
  if (returned >= 0) return earlyReturn(arrivals, paths, returned);
  const first = arrivals[0] as Extract<CollectiveArrival, { kind: 'gather' }>;
  for (let i = 1; i < arrivals.length; i++) {
    const a = arrivals[i] as Extract<CollectiveArrival, { kind: 'gather' }>;
    if (a.centralSite === first.centralSite && a.perMember === first.perMember) continue;
    const what = a.centralSite === first.centralSite ? `perMember ${a.perMember} where ${paths[0]} has ${first.perMember}` : `central ${a.centralSite} where ${paths[0]} has central ${first.centralSite}`;
    const message = `collective mismatch at ${a.site}: ${paths[i]} gathers with ${what}`;
    const units = [paths[0] as string, paths[i] as string];
    return { kind: 'mismatch', index: i, error: new SkyloomError(ErrorCode.CollectiveMismatch, message, { unitPath: paths[i] as string, site: a.site, units }) };
  }
  return { kind: 'collective', values: arrivals.map((a) => a.value), perMember: first.perMember };
}

function earlyReturn(arrivals: readonly CollectiveArrival[], paths: readonly string[], returned: number): Resolution {
  const waitingPaths = paths.filter((_, i) => arrivals[i]?.kind === 'gather');
  const at = arrivals.find((a) => a.kind === 'gather')?.site ?? 'a gather';
  const shown = waitingPaths.length > 5 ? [...waitingPaths.slice(0, 5), `… ${waitingPaths.length - 5} more`] : waitingPaths;
  const path = paths[returned] as string;
  const message = `${path} returned while ${shown.join(', ')} wait at ${at}`;
  const error = new SkyloomError(ErrorCode.CollectiveEarlyReturn, message, { unitPath: path, site: at, units: [path, ...waitingPaths] });
  return { kind: 'mismatch', index: returned, error };
}

/**
 * The reply each member receives from a collective's central result: the same value for all, or with
 * `perMember` its own entry, checked to have one entry per member. Pure; never throws.
 */
export function distribute(result: Reply, perMember: boolean, paths: readonly string[], site: string): Reply[] {
  if (!result.ok || !perMember) return paths.map(() => result);
  const entries = result.value;
  if (!Array.isArray(entries) || entries.length !== paths.length) {
    const got = Array.isArray(entries) ? `${entries.length} entries` : describeValue(entries);
    const message = `perMember central of ${paths[0]}'s group at ${site}: expected an array of ${paths.length} entries (one per member), got ${got}`;
    const error = new SkyloomError(ErrorCode.PerMemberLength, message, { unitPath: paths[0] as string, site, units: [...paths] });
    return paths.map(() => ({ ok: false, error }));
  }
  return entries.map((value: unknown) => ({ ok: true, value }));
}

/** Wraps an error thrown by a central function; it is thrown into every member at its gather. */
export function centralFailed(cause: unknown, ownerPath: string, site: string, centralSite: string): SkyloomError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SkyloomError(ErrorCode.CentralFailed, `central ${centralSite} (of ${ownerPath}) failed at ${site}: ${reason}`, {
    unitPath: ownerPath,
    site,
    cause,
  });
}
