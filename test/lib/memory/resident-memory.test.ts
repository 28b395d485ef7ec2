import { describe, expect, it } from 'vitest';
import { ResidentMemory } from '../../../lib/memory/resident-memory.ts';

describe('ResidentMemory', () => {
  it('counts resident bytes up and down and remembers the most it counted', () => {
    const memory = new ResidentMemory();
    memory.add(300);
    memory.add(-200);
    memory.add(50);
    expect([memory.bytes, memory.peak]).toEqual([150, 300]);
  });

  it('counts spare buffers as resident while it keeps them, and no longer once one is taken', () => {
    const memory = new ResidentMemory();
    expect(memory.giveSpare([new ArrayBuffer(64), new ArrayBuffer(128)])).toBe(192);
    expect([memory.bytes, memory.spareBytes, memory.spareFor([64])]).toEqual([192, 192, 64]);
    const taken = memory.takeSpare(100, 200);
    expect(taken?.byteLength).toBe(128);
    expect([memory.bytes, memory.spareBytes]).toEqual([64, 64]);
    expect(memory.discardSpare()).toBe(64);
    expect(memory.bytes).toBe(0);
  });

  it('takes a spare buffer of an exact size for a read, and marks that size wanted even when it has none, so it is let go of last', () => {
    const memory = new ResidentMemory();
    expect(memory.takeSpareOf(128)).toBeUndefined(); // a read of 128 bytes found no spare buffer
    memory.giveSpare([new ArrayBuffer(64), new ArrayBuffer(128)]);
    expect(memory.discardSpare(64)).toBe(64); // the never-wanted size goes first (unmarked, the larger would)
    expect(memory.takeSpareOf(128)?.byteLength).toBe(128);
    expect([memory.bytes, memory.spareBytes]).toEqual([0, 0]);
  });

  it('lists a freed value\'s I/O in flight until it settles, failed or not', async () => {
    const memory = new ResidentMemory();
    let fail = (_: Error): void => {};
    memory.recyclingAfter(new Promise((_, reject) => (fail = reject)));
    expect(memory.recycling).toHaveLength(1);
    fail(new Error('disk full'));
    await Promise.all(memory.recycling);
    await new Promise((resolve) => setImmediate(resolve));
    expect(memory.recycling).toHaveLength(0);
  });

  it('lets go of every spare buffer and counts nothing when cleared', () => {
    const memory = new ResidentMemory();
    memory.add(10);
    memory.giveSpare([new ArrayBuffer(32)]);
    memory.clear();
    expect([memory.bytes, memory.spareBytes]).toEqual([0, 0]);
  });
});
