import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../lib/memory/buffer-pool.ts';
import { returnedUncollected } from '../../../lib/memory/return-pages.ts';

describe('BufferPool', () => {
  it('gives back a kept buffer of exactly the size asked for, once', () => {
    const pool = new BufferPool();
    const small = new ArrayBuffer(8);
    const big = new ArrayBuffer(64);
    pool.give([small, big]);
    expect(pool.bytes).toBe(72);
    expect(pool.take(32)).toBeUndefined();
    expect(pool.take(64)).toBe(big);
    expect(pool.take(64)).toBeUndefined();
    expect(pool.bytes).toBe(8);
  });

  it('lets go of buffers largest first, sparing the sizes asked to keep, and reports the bytes', () => {
    const pool = new BufferPool();
    pool.give([new ArrayBuffer(16), new ArrayBuffer(16), new ArrayBuffer(64), new ArrayBuffer(8)]);
    expect(pool.covers([16, 16, 16, 8, 32])).toBe(40);
    expect(pool.discard(70, [16])).toBe(80); // 64, then one 16: the other 16 is spared
    expect(pool.take(16)).toBeDefined();
    expect(pool.take(16)).toBeUndefined();
    expect(pool.discard(Infinity, [])).toBe(8);
    expect(pool.bytes).toBe(0);
  });

  it('says what a request could take: exact sizes as a multiset, or one buffer in a range (counted at the range\'s most)', () => {
    const pool = new BufferPool();
    pool.give([new ArrayBuffer(16), new ArrayBuffer(48)]);
    expect(pool.supplies([16, 16, 48])).toBe(64);
    expect(pool.supplies({ between: [32, 64] })).toBe(64);
    expect(pool.supplies({ between: [17, 40] })).toBe(0);
  });

  it('lets go of a buffer without detaching it (a detach would slow every typed-array loop of the thread)', () => {
    const pool = new BufferPool();
    const buffer = new ArrayBuffer(1024 * 1024);
    pool.give([buffer]);
    expect(pool.discard(Infinity, [])).toBe(1024 * 1024);
    expect(buffer.byteLength).toBe(1024 * 1024);
    // its pages went back to the kernel (Linux); V8 counts the buffer until it collects it
    if (process.platform === 'linux') expect(returnedUncollected()).toBeGreaterThanOrEqual(1024 * 1024 - 4096);
  });

  it('skips detached (empty) buffers it is given', () => {
    const pool = new BufferPool();
    const buffer = new ArrayBuffer(32);
    structuredClone(buffer, { transfer: [buffer] });
    expect(pool.give([buffer])).toBe(0);
    expect(pool.bytes).toBe(0);
  });
});
