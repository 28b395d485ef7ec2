/**
 * How one member of a `scatter(…, { onFailure: 'collect' })` group ended, and how such outcomes cross
 * a thread: the group loop makes `WireOutcome`s (plain data: the error as a `WireError`, so its code,
 * path and cause survive structured clone), and `scatter` turns them back into `MemberOutcome`s with
 * real error objects in the parent unit, on whatever thread it runs.
 *
 * It does not decide which members failed (the group loop does).
 */
import { errorFromWire, errorToWire, type WireError } from './error-wire.ts';
import type { SkyloomError } from './errors.ts';

export type MemberOutcome<O> = { readonly ok: true; readonly value: O } | { readonly ok: false; readonly error: SkyloomError };

export type WireOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: WireError };

export function failedOutcome(error: SkyloomError): WireOutcome {
  return { ok: false, error: errorToWire(error) };
}

/** The scatter's reply (wire outcomes, in member order) as outcomes with rebuilt errors. Frozen like every reply. */
export function memberOutcomes<O>(reply: unknown): MemberOutcome<O>[] {
  const outcomes = (reply as readonly WireOutcome[]).map((o) => (o.ok ? (o as MemberOutcome<O>) : Object.freeze({ ok: false as const, error: errorFromWire(o.error) as SkyloomError })));
  return Object.freeze(outcomes) as MemberOutcome<O>[];
}
