import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetedStore, type BudgetedStoreOptions } from '../../../lib/memory/budgeted-store.ts';
import type { RunEventBody } from '../../../lib/events.ts';
import type { Ref } from '../../../lib/ref.ts';
import { KiB, a, b, image, underPressure, useTempDir } from './fixtures/store-test-kit.ts';

// A budget that covers the process (`processGrowth`): the store keeps less resident by what the
// process holds outside it. The process's growth is simulated: the store's own bytes plus `outside`.

const tempDir = useTempDir('covers-process');

async function storeWithOutside(outside: { bytes: number }, options: Partial<BudgetedStoreOptions> = {}): Promise<BudgetedStore> {
  let store: BudgetedStore | undefined;
  const opened = await BudgetedStore.open({
    budget: 64 * KiB,
    directory: join(tempDir(), 'spill'),
    verify: false,
    processGrowth: () => (store?.bytes ?? 0) + outside.bytes,
    ...options,
  });
  store = opened;
  return opened;
}

async function putAll(store: BudgetedStore, count: number): Promise<Ref[]> {
  const refs: Ref[] = [];
  for (let i = 0; i < count; i++) refs.push(await store.put(image(i), a));
  store.endStep(a);
  return refs;
}

describe('a budget that covers the process', () => {
  it('keeps resident only the budget less what the process holds outside the store, and reads every value back intact', async () => {
    const store = await storeWithOutside({ bytes: 32 * KiB });
    const refs = await putAll(store, 6); // 96 KiB of values
    expect(store.bytes).toBeLessThanOrEqual(32 * KiB);
    for (const [i, ref] of refs.entries()) {
      expect(await store.get(ref, b)).toEqual(image(i));
      store.endStep(b);
      expect(store.bytes).toBeLessThanOrEqual(32 * KiB);
    }
    await store.close();
  });

  it('keeps the whole budget when the process has not grown outside it, as a store without the hook does', async () => {
    const covering = await storeWithOutside({ bytes: 0 });
    await putAll(covering, 6);
    expect(covering.bytes).toBeGreaterThan(32 * KiB);
    expect(covering.bytes).toBeLessThanOrEqual(64 * KiB);
    await covering.close();
  });

  it('drops and lets go of resident values at a step end once the process grows, and reports the lowered limit', async () => {
    const outside = { bytes: 0 };
    const events: RunEventBody[] = [];
    const store = await storeWithOutside(outside, { policy: { headroom: 1 }, emit: (e) => events.push(e) });
    await underPressure(store);
    const refs = await putAll(store, 3); // 48 KiB, written behind (it has had to make room; headroom 1: everything)
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.bytes - store.spareBytes).toBe(48 * KiB); // and the spare buffers the pressure left
    outside.bytes = 40 * KiB; // limit 24 KiB
    await store.get(refs[0] as Ref, b);
    store.endStep(b);
    expect(store.bytes).toBeLessThanOrEqual(24 * KiB);
    await store.put(image(9), b); // a put reports the store's figures
    const limits = events.flatMap((e) => (e.type === 'memory' && e.limit !== undefined ? [e.limit] : []));
    expect(limits.at(-1)).toBeLessThanOrEqual(24 * KiB);
    expect(limits.every((l) => l <= 64 * KiB)).toBe(true);
    await store.close();
  });

  it('admits a value the lowered limit has no room for under the budget itself: a soft bound, no SKY_MEMORY_BUDGET', async () => {
    const store = await storeWithOutside({ bytes: 60 * KiB }); // limit 4 KiB: not one 16 KiB value
    const ref = await store.put(image(1), a, { transfer: true }); // pinned until a's pause: cannot leave
    const second = await store.put(image(2), a);
    expect(store.bytes).toBeGreaterThanOrEqual(16 * KiB);
    store.endStep(a);
    expect(await store.get(second, b)).toEqual(image(2));
    expect(await store.get(ref, b)).toEqual(image(1));
    store.endStep(b);
    await store.close();
  });

  it('says nothing of a limit in its memory events without the hook', async () => {
    const events: RunEventBody[] = [];
    const store = await BudgetedStore.open({ budget: 64 * KiB, directory: join(tempDir(), 'spill'), verify: false, emit: (e) => events.push(e) });
    await putAll(store, 6);
    const memory = events.filter((e) => e.type === 'memory');
    expect(memory.length).toBeGreaterThan(0);
    expect(memory.some((e) => e.type === 'memory' && 'limit' in e)).toBe(false);
    await store.close();
  });
});
