import type { Observation, Outcome } from './observe.ts';
import type { Prediction } from './oracle/prediction.ts';

/**
 * Deep equality that is bit-exact: typed arrays must have the same type and the same bytes, numbers
 * must be `Object.is`-equal. Returns where the values first differ, or undefined when they are equal.
 */
export function bitDifference(a: unknown, b: unknown, at = 'output'): string | undefined {
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) return `${at}: typed array vs ${describe(ArrayBuffer.isView(a) ? b : a)}`;
    if (a.constructor !== b.constructor) return `${at}: ${a.constructor.name} vs ${b.constructor.name}`;
    const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    return x.equals(y) ? undefined : `${at}: bytes differ`;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b) ? undefined : `${at}: ${describe(a)} vs ${describe(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${at}: array vs object`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const d = bitDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
    if (d) return d;
  }
  return undefined;
}

function describe(value: unknown): string {
  return typeof value === 'object' && value !== null ? (Array.isArray(value) ? 'array' : 'object') : String(value);
}

/** Same output bit for bit, or the same failure: the same codes and unit paths all down the cause chain. */
export function outcomeDifference(reference: Outcome, other: Outcome): string | undefined {
  if (reference.ok && other.ok) return bitDifference(reference.output, other.output);
  if (!reference.ok && !other.ok) {
    const a = JSON.stringify(reference.chain);
    const b = JSON.stringify(other.chain);
    return a === b ? undefined : `failure chains differ:\n  reference ${a}\n  other     ${b}\n  (other: ${other.message})`;
  }
  const failed = reference.ok ? other : reference;
  return `reference ${reference.ok ? 'succeeded' : 'failed'} but other ${other.ok ? 'succeeded' : 'failed'}: ${failed.ok ? '' : failed.message}`;
}

function listDifference(what: string, a: readonly string[], b: readonly string[]): string | undefined {
  const missing = a.filter((x) => !b.includes(x));
  const extra = b.filter((x) => !a.includes(x));
  if (missing.length === 0 && extra.length === 0 && a.length === b.length) return undefined;
  return `${what} differ: missing [${missing.slice(0, 5).join(', ')}] extra [${extra.slice(0, 5).join(', ')}] (${a.length} vs ${b.length})`;
}

/**
 * Everything the equivalence property demands of a run against the oracle's prediction: the same
 * output bit for bit or the same failure chain; nothing left on disk; and, when nothing failed, the
 * units and collectives the program implies.
 */
export function predictionDifference(expected: Prediction, seen: Observation): string | undefined {
  const outcome = outcomeDifference(expected.outcome.ok ? expected.outcome : { ...expected.outcome, message: 'predicted by the oracle' }, seen.outcome);
  if (outcome) return outcome;
  if (seen.leftOnDisk.length > 0) return `left on disk: ${seen.leftOnDisk.slice(0, 5).join(', ')}`;
  // Members above a failure may or may not have started (sequential stops, concurrent cancels).
  if (expected.anyFailure) return undefined;
  const units = listDifference('unit paths', expected.units, seen.units);
  return units ?? listDifference('collectives', expected.collectives, seen.collectives);
}
