import { createHash } from 'node:crypto';

const bySource = new Map<string, string>();
/** The same function object is gathered by every member of a group at every round: skip its source text. */
const byFunction = new WeakMap<object, string>();

/**
 * Identifies where a central function is defined, so siblings' gathers can be matched: closures made
 * by the same code have the same source text, and so the same site on every thread. Two functions
 * with identical name and text in different places count as one site; they compute the same thing.
 */
export function centralSite(fn: (...args: never[]) => unknown): string {
  const known = byFunction.get(fn);
  if (known !== undefined) return known;
  const source = Function.prototype.toString.call(fn);
  let site = bySource.get(source);
  if (site === undefined) {
    site = `${fn.name || 'anonymous'}@${createHash('sha1').update(source).digest('hex').slice(0, 12)}`;
    bySource.set(source, site);
  }
  byFunction.set(fn, site);
  return site;
}
