import { describe, expect, it } from 'vitest';
import { forceGc } from '../../../lib/memory/force-gc.ts';
import { makeRef } from '../../../lib/ref.ts';
import { decodeFromSpill, encodeForSpill, type EncodedValue } from '../../../lib/memory/spill-codec.ts';

function encode(value: unknown): EncodedValue {
  const result = encodeForSpill(value);
  if (!result.ok) throw new Error(result.reason);
  return result.encoded;
}

/** Decodes with fresh copies of the buffers, as a read-back does. */
function roundTrip(value: unknown): unknown {
  const { skeleton, buffers, refs } = encode(value);
  return decodeFromSpill(skeleton, buffers.map((b) => b.slice(0)), refs);
}

const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('spill codec', () => {
  it('writes each buffer once, by reference, and puts views back on shared buffers with their offsets', () => {
    const pixels = new Float32Array([1, 2, 3, 4]);
    const value = { pixels, tail: pixels.subarray(1, 3), bytes: new DataView(pixels.buffer, 4, 8), raw: new ArrayBuffer(3) };
    const encoded = encode(value);
    expect(encoded.buffers).toEqual([pixels.buffer, value.raw]);
    expect(encoded.buffers[0]).toBe(pixels.buffer); // the value's own memory, not a copy
    const back = roundTrip(value) as typeof value;
    expect(back).toStrictEqual(value);
    expect(back.tail.buffer).toBe(back.pixels.buffer);
    expect(back.bytes.buffer).toBe(back.pixels.buffer);
    expect([back.tail.byteOffset, back.bytes.byteOffset, back.bytes.byteLength]).toEqual([4, 4, 8]);
  });

  it('keeps cycles, shared objects, sparse arrays, Maps with object keys, -0, NaN, bigint and a __proto__ key', () => {
    const shared = { n: -0 };
    const cyclic: Record<string, unknown> = { shared, again: shared, list: [1, , NaN], big: 2n ** 70n, when: new Date(5) };
    cyclic.self = cyclic;
    const key = { k: 1 };
    cyclic.map = new Map<unknown, unknown>([[key, new Set([key, 'x'])]]);
    Object.defineProperty(cyclic, '__proto__', { value: { sneaky: true }, enumerable: true, writable: true, configurable: true });
    const back = roundTrip(cyclic) as typeof cyclic;
    expect(back.self).toBe(back);
    expect(back.again).toBe(back.shared);
    expect(Object.is((back.shared as typeof shared).n, -0)).toBe(true);
    expect(1 in (back.list as unknown[])).toBe(false);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ sneaky: true });
    const [[k, set]] = [...(back.map as Map<object, Set<unknown>>)] as [[object, Set<unknown>]];
    expect(set.has(k)).toBe(true);
    expect(back).toStrictEqual(cyclic);
    expect(Object.isFrozen(back)).toBe(true);
  });

  it('gives back the original ref handles by identity', () => {
    const ref = makeRef('r9', 8);
    const encoded = encode({ ref, again: [ref] });
    expect(encoded.refs).toEqual([ref]);
    const back = roundTrip({ ref, again: [ref] }) as { ref: object; again: object[] };
    expect(back.ref).toBe(ref);
    expect(back.again[0]).toBe(ref);
  });

  it('reads a Buffer back as the Uint8Array it is', () => {
    const back = roundTrip({ b: Buffer.from([1, 2, 3]) }) as { b: Uint8Array };
    expect(back.b.constructor).toBe(Uint8Array);
    expect([...back.b]).toEqual([1, 2, 3]);
  });

  it('refuses what would not come back the same, naming where it is', () => {
    class Psf {}
    expect(encodeForSpill({ a: [{ psf: new Psf() }] })).toEqual({ ok: false, reason: 'an instance of Psf at value.a.0.psf' });
    expect(encodeForSpill({ f: Symbol('s') })).toEqual({ ok: false, reason: 'a symbol at value.f' });
    expect(encodeForSpill(Object.create(null))).toEqual({ ok: false, reason: 'a null-prototype object at value' });
    expect(encodeForSpill({ v: new Uint8Array(new SharedArrayBuffer(4)) })).toEqual({ ok: false, reason: 'a view of a SharedArrayBuffer at value.v' });
    expect(encodeForSpill({ x: { '\u0000skyloom:buffer': 1 } })).toMatchObject({ ok: false, reason: expect.stringContaining('reserved marker key at value.x') });
  });

  it('leaves no hold on the buffers it encoded or decoded: young-generation collections alone free them', async () => {
    const gc = forceGc() as ((options?: { type: 'minor' | 'major' }) => void) | undefined;
    expect(gc).toBeTypeOf('function');
    const bufferBytes = (): number => process.memoryUsage().arrayBuffers;
    gc?.();
    gc?.();
    const before = bufferBytes();
    ((): void => {
      const original = new Float64Array(1 << 20).fill(3); // 8 MiB, and 8 MiB more read back
      expect((roundTrip({ original }) as { original: Float64Array }).original[5]).toBe(3);
    })();
    await nextTask();
    expect(bufferBytes() - before).toBeGreaterThan(12 * 2 ** 20); // both (16 MiB) still there: garbage, not yet collected
    // Bytes, not WeakRefs: V8 clears those only in full collections. Two young collections, as a
    // buffer allocated just before a collection may survive one; V8's serializer holding them would
    // keep them past both (they are promoted) until a full collection.
    gc?.({ type: 'minor' });
    gc?.({ type: 'minor' });
    expect(bufferBytes() - before).toBeLessThan(2 ** 20);
  });
});
