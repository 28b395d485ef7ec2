import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetedStore } from '../../../lib/memory/budgeted-store.ts';
import { MemoryStore } from '../../../lib/memory/memory-store.ts';
import type { Ref } from '../../../lib/ref.ts';
import { KiB, a, b, image, useTempDir } from './fixtures/store-test-kit.ts';

// A unit's end frees the refs it put that only it could reach: a spilling store never writes a
// final version nobody will read, nor waits for a garbage collection to let it go.

const tempDir = useTempDir('end-unit');


describe('BudgetedStore at the end of a unit', () => {
  it('frees the refs the unit kept to itself, plain or handed over, before any is written, and keeps the one it returned', async () => {
    const store = await BudgetedStore.open({ budget: 256 * KiB, directory: join(tempDir(), 'spill'), verify: false, policy: { headroom: 0 } });
    const kept = await store.put(image(1), a, { transfer: true });
    const returned = await store.put(image(2), a, { transfer: true });
    const plain = await store.put(image(3), a);
    store.endStep(a, { output: returned });
    store.endUnit(a);
    expect(store.size).toBe(1);
    expect(store.bytes - store.spareBytes).toBe(16 * KiB); // the freed values' memory is kept for recycling
    await expect(Promise.resolve().then(() => store.get(kept, b))).rejects.toMatchObject({ code: 'SKY_UNKNOWN_REF', ref: kept.$ref });
    await expect(Promise.resolve().then(() => store.get(plain, b))).rejects.toMatchObject({ code: 'SKY_UNKNOWN_REF', ref: plain.$ref });
    expect(await store.get(returned, b)).toEqual(image(2));
    store.endStep(b);
    expect(store.ioStats.bytesOut).toBe(0);
    await store.close();
  });

  it('deletes the spill file of a freed ref that was already written, and waits for a step still borrowing it', async () => {
    const store = await BudgetedStore.open({ budget: 64 * KiB, directory: join(tempDir(), 'spill'), verify: false, policy: { reserveNext: false } });
    const refs: Ref[] = [];
    for (let i = 0; i < 6; i++) {
      refs.push(await store.put(image(i), a, { transfer: true }));
      store.endStep(a);
      await store.finished();
    }
    expect(store.diskBytes).toBeGreaterThan(0);
    expect(await store.get(refs[5] as Ref, b)).toEqual(image(5)); // another step borrows it (say, a ledger read)
    store.endUnit(a);
    expect(store.size).toBe(1);
    store.endStep(b);
    expect(store.size).toBe(0);
    await store.finished();
    expect(store.diskBytes).toBe(0); // its file is free for reuse (see SpillFilePool), gone at close
    await store.close();
    expect((await readdir(join(tempDir(), 'spill'))).filter((f) => f.endsWith('.spill'))).toEqual([]);
  });
});

describe('MemoryStore at the end of a unit', () => {
  it('frees the refs the unit kept to itself and no others', () => {
    const store = new MemoryStore({ verify: false });
    const kept = store.put(image(1), a, { transfer: true });
    store.put(image(2), a);
    const returned = store.put(image(3), a);
    store.endStep(a, { output: returned });
    store.endUnit(a);
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(16 * KiB);
    expect(() => store.get(kept, b)).toThrow(expect.objectContaining({ code: 'SKY_UNKNOWN_REF' }));
    store.close();
  });
});
