import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetedStore, type BudgetedStoreOptions } from '../../../lib/memory/budgeted-store.ts';
import type { MemoryPolicyOptions } from '../../../lib/memory/memory-policy.ts';
import type { Ref } from '../../../lib/ref.ts';
import { KiB, a, b, image, useTempDir } from './fixtures/store-test-kit.ts';

// Values handed over with `put(value, { transfer: true })`: taken back with `take`, and their memory
// reused by reads once they are spilled.

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
    await store.durable(); // the writes write-behind started are done: which entries are clean does not depend on timing
  }
  return { refs, arrays };
}

describe('BudgetedStore take and memory reuse', () => {
  it('takes a transfer ref back, resident or spilled: the same pixels, bit-exact, out of the store and off the disk', async () => {
    const store = await open({ policy: { reserveNext: false } });
    const { refs } = await putImages(store, 6); // 96 KiB: the first ones spill
    await store.durable();
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
    store.endStep(a); // paused without putting it back: no longer counted
    expect(store.bytes).toBe(0);
    await store.close();
  });

  it('reads a spilled value back into the memory of a transfer value it dropped to make room, not into new memory', async () => {
    const store = await open({ policy: { reserveNext: false } });
    const { refs, arrays } = await putImages(store, 5); // the fifth put drops the first
    const got = (await store.get(refs[0] as Ref, b)) as Float32Array; // room comes from dropping the LRU clean one
    expect(got).toEqual(image(0));
    // What the test kept of that other one now holds the first: why arrays are lent only until a pause.
    const reused = arrays.findIndex((x) => x.buffer === got.buffer);
    expect(reused).toBeGreaterThan(0); // not the first's own memory, which its put let go of
    expect(arrays[reused]).toEqual(image(0));
    store.endStep(b);
    await store.close();
  });

  it('never reuses the memory of values put without transfer, nor any in verify mode (the retention check must see values die)', async () => {
    for (const [transfer, verify] of [
      [false, false],
      [true, true],
    ] as const) {
      const store = await open({ verify, policy: { reserveNext: false } });
      const { refs, arrays } = await putImages(store, 5, transfer);
      const got = (await store.get(refs[0] as Ref, b)) as Float32Array;
      expect(got).toEqual(image(0));
      expect(arrays.some((x) => x.buffer === got.buffer)).toBe(false);
      store.endStep(b);
      await store.close();
    }
  });

  it('forces no collection for memory it reuses, and one per quarter budget of memory it lets go of', async () => {
    const counts: number[] = [];
    for (const transfer of [true, false]) {
      let calls = 0;
      const store = await open({ policy: { reserveNext: false, collectMinBytes: 0, gc: () => calls++ } });
      const { refs } = await putImages(store, 5, transfer); // the fifth put lets the first go: counted, whatever it was
      await store.beginStep(b); // ...and collected at the next step start
      store.endStep(b);
      calls = 0;
      for (let round = 0; round < 3; round++) {
        for (const ref of refs) {
          await store.beginStep(b);
          await store.get(ref, b); // each read drops another value to make room
          store.endStep(b);
        }
      }
      await store.close();
      counts.push(calls);
    }
    expect(counts[0]).toBe(0);
    expect(counts[1]).toBeGreaterThan(4);
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
