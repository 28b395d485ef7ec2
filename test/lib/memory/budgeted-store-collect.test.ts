import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetedStore } from '../../../lib/memory/budgeted-store.ts';
import { forceGc } from '../../../lib/memory/force-gc.ts';
import type { MemoryPolicyOptions } from '../../../lib/memory/memory-policy.ts';
import type { Ref } from '../../../lib/ref.ts';
import { KiB, a, image, useTempDir } from './fixtures/store-test-kit.ts';

// The collection rule of MemoryPolicy (`CollectionRule`), seen through the store that glues it to ref
// lifetimes. With `youngGc: null` every forced collection is a full one, which finds dead ref handles.

const tempDir = useTempDir('collect');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Without the room a put keeps for the next unit (`reserveNext`), so drops happen only when a value needs room. */
function open(policy: Omit<MemoryPolicyOptions, 'budget'>): Promise<BudgetedStore> {
  return BudgetedStore.open({ budget: 64 * KiB, directory: join(tempDir(), 'spill'), verify: false, policy: { reserveNext: false, ...policy } });
}

describe('MemoryPolicy collection rule', () => {
  it('collects once per collectWithinStep of the budget let go of within a step, and not while nothing is', async () => {
    let calls = 0;
    const store = await open({ collectWithinStep: 0.5, collectMinBytes: 0, gc: () => calls++, youngGc: null }); // every 32 KiB
    const kept: Ref[] = [];
    for (let i = 0; i < 4; i++) kept.push(await store.put(image(i), a));
    expect(calls).toBe(0); // the budget is full but nothing was dropped or freed yet
    // Each further put drops exactly one 16 KiB value (all refs are kept, so nothing is freed).
    for (let i = 4; i < 12; i++) {
      kept.push(await store.put(image(i), a));
      expect(calls).toBe(Math.floor((i - 3) / 2));
    }
    expect(calls).toBe(4); // 8 drops × 16 KiB / 32 KiB
    expect(store.collections.count).toBe(4);
    expect(store.collections.ms).toBeGreaterThanOrEqual(0);
    store.endStep(a);
    await store.close();
  });

  it('collects young at a step start, after the drops that make room for its prefetch and before the read allocates', async () => {
    const seen: number[] = [];
    // bufferBytes 0: no measured garbage, so the young collection is not followed by a full one that
    // depended on what else this test process had allocated (it made the test flaky).
    const policy = { collectMinBytes: 0, collectWithinStep: Infinity, bufferBytes: () => 0 };
    const store = await open({ ...policy, gc: () => seen.push(-1), youngGc: () => seen.push(store.bytes / KiB) });
    const [b, c] = [{ path: 'root/s:1' }, { path: 'root/s:2' }];
    const kept: Ref[] = [];
    for (let i = 0; i < 4; i++) kept.push(await store.put(image(i), a)); // 64 KiB: the budget
    await Promise.resolve(store.get(kept[0] as Ref, a)); // s:0 borrows r1: its next step will want it
    store.endStep(a);
    for (const unit of [b, c]) {
      for (let i = 0; i < 2; i++) kept.push(await store.put(image(10 + kept.length), unit)); // r1..r4 go to disk
      store.endStep(unit);
      await store.durable();
    }
    expect(seen).toEqual([]); // within steps: nothing collected
    store.beginStep(a); // prefetch r1: drop one clean 16 KiB value, collect, then read
    expect(seen).toEqual([48]); // the collection saw the drop done and the read not begun
    expect(store.bytes).toBe(64 * KiB); // the read has begun since
    store.endStep(a);
    await store.close();
  });

  it('never collects with collectAfter and diskAfter Infinity, with gc null, or below collectMinBytes and diskAfter', async () => {
    let calls = 0;
    const count = (): void => void calls++;
    const policies = [
      { collectAfter: Infinity, collectWithinStep: Infinity, diskAfter: Infinity, gc: count, youngGc: count },
      // floor above all this test lets go of, and more disk than it writes (12 × 16 KiB)
      { collectAfter: 0.25, collectWithinStep: 0.25, collectMinBytes: 1024 * KiB, diskAfter: 4, gc: count, youngGc: count },
      { collectAfter: 0.25, collectMinBytes: 0, gc: null },
    ];
    for (const policy of policies) {
      const store = await open(policy);
      const kept: Ref[] = [];
      for (let i = 0; i < 12; i++) kept.push(await store.put(image(i), a));
      expect(store.diskBytes).toBeGreaterThan(0); // values were dropped: the rule had something to count
      expect(calls).toBe(0);
      expect(store.collections.count).toBe(0);
      store.endStep(a);
      await store.close();
    }
  });

  it('runs a full collection once the spill files grew by diskAfter of the budget, even with nothing let go of', async () => {
    let full = 0;
    let young = 0;
    const store = await open({ collectAfter: Infinity, collectWithinStep: Infinity, diskAfter: 1, gc: () => full++, youngGc: () => young++ });
    const kept: Ref[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 12; i++) {
      kept.push(await store.put(image(i), a));
      counts.push(full);
    }
    // Each put past the fourth drops one value; its file stays. The disk passes one budget (64 KiB)
    // once the fifth file is on disk, and the full collection resets the count.
    expect(store.diskBytes).toBeGreaterThan(64 * KiB);
    expect(full).toBeGreaterThanOrEqual(1);
    expect(full).toBeLessThanOrEqual(2);
    expect(counts[4]).toBe(0);
    expect(young).toBe(0); // a disk-driven collection is a full one straight away
    store.endStep(a);
    await store.close();
  });

  it('frees the refs a collection found unreachable before the admit goes on, without waiting for finalizers', async () => {
    const gc = forceGc();
    expect(gc).toBeTypeOf('function');
    let calls = 0;
    const store = await open({ collectWithinStep: 0.25, collectMinBytes: 0, gc: () => (calls++, gc?.()), youngGc: null }); // every 16 KiB
    await (async () => {
      for (let i = 0; i < 3; i++) await store.put(image(i), a); // handles dropped: unreachable after this
    })();
    store.endStep(a);
    await sleep(20); // write-behind settles; V8 stops keeping the handles alive for the job that made them
    expect(store.size).toBe(3);
    const kept: Ref[] = [await store.put(image(10), a)]; // 64 KiB resident: fits, nothing let go of
    expect(calls).toBe(0);
    // Needs a drop (16 KiB let go of) → a collection before commit, and the store frees the three dead
    // refs right away: no task boundary has passed, so a FinalizationRegistry callback cannot have run.
    kept.push(await store.put(image(11), a));
    expect(calls).toBe(1);
    expect(store.size).toBe(2);
    expect(store.bytes).toBe(32 * KiB);
    store.endStep(a);
    await store.close();
  });

  it('still succeeds when the injected collection throws', async () => {
    const store = await open({ collectWithinStep: 0.25, collectMinBytes: 0, youngGc: null, gc: () => { throw new Error('boom'); } });
    const kept: Ref[] = [];
    for (let i = 0; i < 8; i++) kept.push(await store.put(image(i), a));
    expect(store.collections.count).toBeGreaterThan(0);
    store.endStep(a);
    await store.close();
  });
});
