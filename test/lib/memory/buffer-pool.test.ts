import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../lib/memory/buffer-pool.ts';

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

  it('lets go of what no read took, reporting its bytes', () => {
    const pool = new BufferPool();
    pool.give([new ArrayBuffer(16), new ArrayBuffer(16)]);
    expect(pool.clear()).toBe(32);
    expect(pool.take(16)).toBeUndefined();
    expect(pool.bytes).toBe(0);
  });
});
