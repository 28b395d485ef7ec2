/**
 * A function that runs a full garbage collection, when node runs with `--expose-gc`; otherwise
 * undefined. It never turns a V8 flag on itself: importing or running skyloom changes nothing
 * process-wide. Never throws.
 *
 * One user: verify mode's retention check, which looks for dropped values still held somewhere and
 * is far more certain after a collection (the test suite runs with `--expose-gc`, see
 * vitest.config.ts). Stores never collect: their memory is recycled, not left to the collector.
 */
export function forceGc(): (() => void) | undefined {
  const global = (globalThis as { gc?: () => void }).gc;
  return typeof global === 'function' ? global : undefined;
}
