import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BudgetedStore } from '../../../lib/memory/budgeted-store.ts';
import { KiB, a, b, image, underPressure, useTempDir } from './fixtures/store-test-kit.ts';

// Write-behind: which values the store writes before it must, and when. What the bytes written count
// is the writes that ended (`ioStats.bytesOut`): a test that expects none lets the writes it may have
// started end first; one that expects some waits for them (a loaded machine may be slow).

const tempDir = useTempDir('write-behind');
const open = (): Promise<BudgetedStore> => BudgetedStore.open({ budget: 64 * KiB, directory: join(tempDir(), 'spill'), verify: false });
const writesEnd = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('write-behind', () => {
  it('does not write what the running step pins, nor what its unit frees when that step is its last', async () => {
    const store = await open();
    for (let i = 0; i < 4; i++) await store.put(image(i), a, { transfer: true }); // a full store, all pinned by a's step
    await writesEnd();
    expect(store.ioStats.bytesOut).toBe(0);
    store.endStep(a);
    store.endUnit(a); // the unit returned: its values are freed, not written
    await writesEnd();
    expect(store.ioStats.bytesOut).toBe(0);
    expect(store.spareBytes).toBe(store.bytes); // all kept for the next reads at once: no write to wait for
    await store.close();
  });

  it('writes nothing ahead while what it holds fits: a store that never had to make room writes nothing', async () => {
    const store = await open();
    const refs = [await store.put(image(1), a), await store.put(image(2), a), await store.put(image(3), a)]; // 48 of 64 KiB
    store.endStep(a);
    await writesEnd();
    expect(store.ioStats.filesOut).toBe(0);
    for (const [i, ref] of refs.entries()) expect(await store.get(ref, b)).toEqual(image(i + 1));
    store.endStep(b);
    await store.close();
  });

  it('writes them once the step has paused and its unit lives on, when the store has had to make room', async () => {
    const store = await open();
    await underPressure(store);
    const before = store.ioStats.bytesOut;
    for (let i = 0; i < 4; i++) await store.put(image(i), a, { transfer: true });
    store.endStep(a);
    await vi.waitFor(() => expect(store.ioStats.bytesOut - before).toBeGreaterThanOrEqual(16 * KiB), { timeout: 10_000 });
    await store.close();
  });

  it('starts a write when a step ends with half the budget dirty, once it has had to make room: room for the next reads comes a step later', async () => {
    const store = await open();
    await underPressure(store);
    const before = store.ioStats.filesOut;
    const refs = [await store.put(image(1), a), await store.put(image(2), a)]; // 32 of 64 KiB
    store.endStep(a);
    await vi.waitFor(() => expect(store.ioStats.filesOut - before).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    await writesEnd();
    expect(store.ioStats.filesOut - before).toBe(1); // three quarters kept free, droppable or being written: one write
    for (const [i, ref] of refs.entries()) expect(await store.get(ref, b)).toEqual(image(i + 1));
    store.endStep(b);
    await store.close();
  });
});
