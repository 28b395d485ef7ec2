import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let cached: (() => void) | null | undefined;

/**
 * A function that runs a full garbage collection. Uses `global.gc` when node runs with `--expose-gc`;
 * otherwise turns the flag on at run time and takes `gc` from a fresh context, a long-standing V8
 * idiom. Returns undefined if neither works. Never throws.
 *
 * Also turns off V8's concurrent ArrayBuffer sweeping (see `sweepBuffersAtOnce`).
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
  sweepBuffersAtOnce();
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


/**
 * Makes V8 free dead ArrayBuffers' memory within the collection that found them, not on a background
 * thread after it. Why: a forced collection exists to make room before the caller allocates again, and
 * with concurrent sweeping that allocation often came first, so malloc took new memory and the old
 * stayed as a hole: bench/laptop's peak RSS was ~155 MiB with it, ~141 MiB without (budget 64 MiB).
 * The flag is read at each collection; setting it once is enough. Never throws.
 */
function sweepBuffersAtOnce(): void {
  try {
    setFlagsFromString('--no-concurrent-array-buffer-sweeping');
  } catch {
    // an embedder without the flag: memory is freed a little later, nothing breaks
  }
}
