import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetedStore, type BudgetedStoreOptions } from '../../../lib/memory/budgeted-store.ts';
import type { MemoryPolicyOptions } from '../../../lib/memory/memory-policy-options.ts';
import type { Ref } from '../../../lib/ref.ts';
import { KiB, a, b, image, useTempDir } from './fixtures/store-test-kit.ts';

// Values the store owns (put with or without transfer, of the unit's own arrays): taken back with
// `take`, and their memory recycled (reads, scratch) once they leave memory.

const tempDir = useTempDir('take');


function open(options: Partial<BudgetedStoreOptions> & { policy?: Omit<MemoryPolicyOptions, 'budget'> } = {}): Promise<BudgetedStore> {
  return BudgetedStore.open({ budget: 64 * KiB, directory: join(tempDir(), 'spill'), verify: false, ...options });
}

/** Puts `n` images with transfer, each in a step of its own; returns the refs and the arrays put. */
async function putImages(store: BudgetedStore, n: number, transfer = true): Promise<{ refs: Ref[]; arrays: Float32Array[] }> {
  const refs: Ref[] = [];
  const arrays: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    arrays.push(image(i));
    refs.push(await store.put(arrays[i], a, { transfer }));
    store.endStep(a);
    await store.finished(); // the writes write-behind started are done: which entries are clean does not depend on timing
  }
  return { refs, arrays };
}

describe('BudgetedStore take and memory reuse', () => {
  it('takes a transfer ref back, resident or spilled: the same pixels, bit-exact, out of the store and off the disk', async () => {
    const store = await open({ policy: { reserveNext: false } });
    const { refs } = await putImages(store, 6); // 96 KiB: the first ones spill
    await store.finished();
    const spilled = await store.take(refs[0] as Ref, a);
    expect(spilled).toEqual(image(0));
    const resident = await store.take(refs[5] as Ref, a);
    expect(resident).toEqual(image(5));
    expect(store.size).toBe(4);
    await expect(Promise.resolve().then(() => store.get(refs[0] as Ref, b))).rejects.toMatchObject({ code: 'SKY_UNKNOWN_REF', message: expect.stringMatching(/taken by unit root\/s:0/) });
    store.endStep(a);
    await store.close();
    expect((await readdir(join(tempDir(), 'spill'))).filter((f) => f.endsWith('.spill'))).toEqual([]);
  });

  it('counts a taken value against the budget until its unit puts it back or pauses', async () => {
    const store = await open();
    const ref = await store.put(image(1), a, { transfer: true });
    store.endStep(a);
    const pixels = (await store.take(ref, a)) as Float32Array;
    expect(store.bytes).toBe(16 * KiB); // held by the unit, still covered by the budget
    pixels[0] = 7;
    const next = await store.put(pixels, a, { transfer: true });
    expect(store.bytes).toBe(16 * KiB); // the same memory, now the next version: not counted twice
    expect(store.peakBytes).toBe(16 * KiB);
    store.endStep(a);
    await store.take(next, a);
    store.endStep(a); // paused without putting it back: its memory is kept for recycling, not held by the unit
    expect(store.bytes - store.spareBytes).toBe(0);
    expect(store.spareBytes).toBe(16 * KiB);
    await store.close();
  });

  it('reads a spilled value back into the memory of a value it dropped, not into new memory', async () => {
    const store = await open({ policy: { reserveNext: false } });
    const { refs, arrays } = await putImages(store, 5); // the fifth put drops the first
    const got = (await store.get(refs[0] as Ref, b)) as Float32Array;
    expect(got).toEqual(image(0));
    // What the test kept of a dropped value now holds the first: why arrays are lent only until a pause.
    const reused = arrays.findIndex((x) => x.buffer === got.buffer);
    expect(reused).toBeGreaterThanOrEqual(0);
    expect(arrays[reused]).toEqual(image(0));
    store.endStep(b);
    await store.close();
  });

  it('recycles in verify mode too: there the arrays a unit kept past its pause are emptied, so nothing sees the memory reused', async () => {
    const store = await open({ verify: true, policy: { reserveNext: false } });
    const { refs, arrays } = await putImages(store, 5, false);
    expect(arrays.every((x) => x.length === 0)).toBe(true); // each lease ended at the putter's pause
    const got = (await store.get(refs[0] as Ref, b)) as Float32Array;
    expect(got).toEqual(image(0));
    store.endStep(b);
    expect(got.length).toBe(0);
    expect(store.expiredLeases(b)).toEqual([expect.stringMatching(new RegExp(`ref ${refs[0]?.$ref}, whose lease ended`))]);
    await store.close();
  });

  it('recycles the memory of values it owns once they leave memory: reads go into a bounded set of buffers', async () => {
    const store = await open({ policy: { reserveNext: false } });
    const { refs } = await putImages(store, 5, false); // plain puts: the store owns their buffers all the same
    const buffers = new Set<ArrayBufferLike>();
    const counted: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (const ref of refs) {
        await store.beginStep(b);
        buffers.add(((await store.get(ref, b)) as Float32Array).buffer);
        counted.push(store.bytes);
        store.endStep(b);
      }
    }
    const reads = store.ioStats.filesIn;
    await store.close();
    // 50 reads of 5 values under a budget of 4: without recycling most reads would be a new buffer.
    expect(buffers.size).toBeLessThanOrEqual(8);
    // A read into a spare buffer counts its bytes once, so the count stays that of 3-4 values: five do
    // not fit in four, and every round reads at least one back.
    expect(Math.min(...counted)).toBeGreaterThanOrEqual(48 * KiB);
    expect(Math.max(...counted)).toBeLessThanOrEqual(64 * KiB);
    expect(reads).toBeGreaterThanOrEqual(10);
  });

  it('keeps room at a put for the next unit to make a value as large (reserveNext), so its value and a full store do not meet', async () => {
    const peaks: number[] = [];
    for (const reserveNext of [true, false]) {
      const store = await open({ policy: { reserveNext } });
      let peak = 0;
      for (let i = 0; i < 8; i++) {
        const ref = await store.put(image(i), a, { transfer: true });
        peak = Math.max(peak, store.bytes);
        store.get(ref, a);
        store.endStep(a);
      }
      peaks.push(peak);
      await store.close();
    }
    expect(peaks).toEqual([48 * KiB, 64 * KiB]);
  });
});
