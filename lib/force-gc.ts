import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let cached: (() => void) | null | undefined;

/**
 * A function that runs a full garbage collection, for verify-mode checks only (the retention check and
 * tests of ref lifetimes). Uses `global.gc` when node runs with `--expose-gc`; otherwise turns the flag
 * on at run time and takes `gc` from a fresh context, a long-standing V8 idiom. Returns undefined if
 * neither works. Never throws. Not for production paths: a full collection costs milliseconds.
 */
export function forceGc(): (() => void) | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === 'function') return (cached = global);
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    cached = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    cached = null;
  }
  return cached ?? undefined;
}
