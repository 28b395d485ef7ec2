import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let cached: (() => void) | null | undefined;

/**
 * A function that runs a full garbage collection. Uses `global.gc` when node runs with `--expose-gc`;
 * otherwise turns the flag on at run time and takes `gc` from a fresh context, a long-standing V8
 * idiom. Returns undefined if neither works. Never throws.
 *
 * Two users, both on purpose: verify-mode checks (the retention check, tests of ref lifetimes), and
 * `MemoryPolicy`, which runs one each time its store has let go of `collectAfter` of the budget, so
 * dead buffers and unreachable refs go before the store takes more memory (V8 alone waits for ~64 MB
 * of dead ArrayBuffers, far above a small budget). A collection costs milliseconds (~5-15 ms with
 * this code's heap), so anything else should not call it on a hot path; the policy's threshold keeps
 * its count proportional to the bytes spilled, and the laptop bench reports count and cost.
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

