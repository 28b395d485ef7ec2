/**
 * Deterministic arithmetic of the interpreter: 32-bit mixing that any runner must reproduce bit for
 * bit. Order-sensitive on purpose, so values handed to a central in the wrong order change the result.
 */

/** Mixes `b` into `a`; the result is an unsigned 32-bit integer. */
export function mix(a: number, b: number): number {
  let h = Math.imul((a ^ 0x5bd1e995) >>> 0, 0x01000193) ^ (b >>> 0);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** Folds a list in order. */
export function foldAll(values: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) h = mix(h, v);
  return h;
}

export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = mix(h, text.charCodeAt(i));
  return h;
}

/** A digest of every byte of a typed array (via 32-bit words, plus the tail). */
export function digestBytes(view: ArrayBufferView): number {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  const words = Math.floor(bytes.byteLength / 4);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let h = mix(0x9747b28c, bytes.byteLength);
  for (let i = 0; i < words; i++) h = mix(h, dv.getUint32(i * 4, true));
  for (let i = words * 4; i < bytes.byteLength; i++) h = mix(h, bytes[i] as number);
  return h;
}

/** A digest of whatever a unit stored: a typed array, or a plain `{ acc }` object. */
export function digestValue(value: unknown): number {
  if (ArrayBuffer.isView(value)) return digestBytes(value);
  if (typeof value === 'object' && value !== null && typeof (value as { acc?: unknown }).acc === 'number') return mix(0x1234, (value as { acc: number }).acc);
  return 0xdead;
}
