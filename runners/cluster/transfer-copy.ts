/**
 * Moving a stored value to another thread without a structured clone of its big buffers: the owner
 * copies each binary part into a fresh ArrayBuffer (a memcpy) and transfers the copies, so its own
 * frozen value is untouched. SharedArrayBuffers are shared, not copied.
 *
 * Walks plain objects, arrays, Maps and Sets (what a store holds); anything else is left to structured
 * clone. Never throws.
 */

export interface Transferable {
  readonly value: unknown;
  /** The buffers to put in the transfer list. */
  readonly transfer: ArrayBuffer[];
}

/** A copy of `value` whose binary parts own fresh, transferable buffers. */
export function copyForTransfer(value: unknown): Transferable {
  const transfer: ArrayBuffer[] = [];
  return { value: copy(value, new Map(), transfer), transfer };
}

/** The ArrayBuffers behind the binary parts of `value` (to pass them on again without a copy). */
export function buffersOf(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  collect(value, new Set(), found);
  return [...found];
}

function copy(value: unknown, done: Map<object, unknown>, transfer: ArrayBuffer[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const known = done.get(value);
  if (known !== undefined) return known;
  const out = copyObject(value, done, transfer);
  done.set(value, out);
  return out;
}

function copyObject(value: object, done: Map<object, unknown>, transfer: ArrayBuffer[]): unknown {
  if (value instanceof SharedArrayBuffer) return value;
  if (value instanceof ArrayBuffer) return keep(value.slice(0), transfer);
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof SharedArrayBuffer) return value;
    const bytes = keep(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength), transfer);
    if (value instanceof DataView) return new DataView(bytes);
    const Type = value.constructor as new (buffer: ArrayBuffer) => ArrayBufferView;
    return new Type(bytes);
  }
  if (Array.isArray(value)) return value.map((v) => copy(v, done, transfer));
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [copy(k, done, transfer), copy(v, done, transfer)]));
  if (value instanceof Set) return new Set([...value].map((v) => copy(v, done, transfer)));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== null && proto !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = copy(v, done, transfer);
  return out;
}

function keep(buffer: ArrayBuffer, transfer: ArrayBuffer[]): ArrayBuffer {
  transfer.push(buffer);
  return buffer;
}

function collect(value: unknown, seen: Set<object>, found: Set<ArrayBuffer>): void {
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (value instanceof ArrayBuffer) return void found.add(value);
  if (ArrayBuffer.isView(value)) return void (value.buffer instanceof ArrayBuffer && found.add(value.buffer));
  const items = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set || Array.isArray(value) ? [...value] : Object.values(value);
  for (const item of items) collect(item, seen, found);
}
