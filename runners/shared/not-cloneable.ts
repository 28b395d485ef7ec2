import { findUncloneable } from '../../lib/clone-check.ts';
import { ErrorCode, SkyloomError } from '../../lib/errors.ts';

/**
 * What every runner does with a value that would cross a thread but cannot be copied faithfully (a
 * function, a class instance: see `lib/clone-check.ts`), so that the inline and laptop runners, whose
 * values never leave the thread, fail the same way as the cluster runner, whose values do: an
 * uncloneable output fails the unit, an uncloneable gathered value or scatter input is thrown into the
 * unit at that primitive, an uncloneable central result fails the collective.
 *
 * It does not check `put` values (`put` itself refuses them on every runner) nor the run's input.
 */
export function notCloneable(path: string, site: string, bad: { readonly path: string; readonly what: string }): SkyloomError {
  const message = `${bad.path} is ${bad.what}, which cannot cross a worker thread (unit ${path} at ${site}); pass plain data, typed arrays or refs`;
  return new SkyloomError(ErrorCode.NotCloneable, message, { unitPath: path, site });
}

/** The error for what a pause hands on (`output`, `gathered value`, `scatter inputs`, `central result`), if it cannot cross. */
export function uncloneable(value: unknown, what: string, path: string, site: string): SkyloomError | undefined {
  const bad = findUncloneable(value, what);
  return bad ? notCloneable(path, site, bad) : undefined;
}
