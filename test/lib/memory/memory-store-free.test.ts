import { describe, expect, it } from 'vitest';
import { forceGc } from '../../../lib/memory/force-gc.ts';
import { MemoryStore } from '../../../lib/memory/memory-store.ts';
import type { Ref } from '../../../lib/ref.ts';

// Contract 3 for the unbounded store: a ref nobody can reach any more is freed (after a collection),
// but not while a running step borrows it, and never while its handle is held.

const a = { path: 'root/s:0' };
const b = { path: 'root/s:1' };
const KiB = 1024;
const pixels = (seed: number): Float32Array => new Float32Array(16 * KiB).map((_, i) => seed + i);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Collects, lets V8 stop keeping this job's weak targets alive, and frees what it found. */
async function collect(store: MemoryStore): Promise<void> {
  const gc = forceGc();
  expect(gc).toBeTypeOf('function');
  await sleep(0);
  gc?.();
  store.sweep();
  await sleep(0); // finalizers too, for whatever the sweep did not see
}

/** Puts `n` values in a step of `who` and drops the handles; keeps the one at `keep`. */
function putAndDrop(store: MemoryStore, who: { path: string }, n: number, keep?: number): Ref | undefined {
  let kept: Ref | undefined;
  for (let i = 0; i < n; i++) {
    const ref = store.put(pixels(i), who);
    if (i === keep) kept = ref;
  }
  return kept;
}

describe('MemoryStore freeing unreachable refs', () => {
  it('frees values whose handle was collected, and its bytes fall; keeps the ones still held', async () => {
    for (const verify of [false, true]) {
      const store = new MemoryStore({ verify });
      const kept = putAndDrop(store, a, 4, 2) as Ref;
      store.endStep(a);
      expect(store.bytes).toBe(4 * 64 * KiB);
      await collect(store);
      expect(store.size).toBe(1);
      expect(store.freed).toBe(3);
      expect(store.bytes).toBe(64 * KiB);
      expect(store.peakBytes).toBe(4 * 64 * KiB);
      expect((store.get(kept, b) as Float32Array)[1]).toBe(3);
      expect(store.endStep(b)).toBeUndefined();
      store.close();
    }
  });

  it('lets a value go in the very collection that finds its handle dead, before any finalizer runs', async () => {
    const store = new MemoryStore({ verify: false });
    let weak: WeakRef<Float32Array> | undefined;
    (() => {
      const value = pixels(1);
      weak = new WeakRef(value);
      store.put(value, a);
    })();
    store.endStep(a);
    await sleep(0); // the job that made them ends: V8 stops keeping the new handle and WeakRef target
    forceGc()?.();
    expect(weak?.deref()).toBeUndefined();
    store.close();
  });

  it('does not free a ref borrowed by a running step until that step ends; no false violation in verify mode', async () => {
    const store = new MemoryStore({ verify: true });
    let value: Float32Array | undefined;
    (() => {
      const ref = store.put(pixels(7), a);
      store.endStep(a);
      value = store.get(ref, b) as Float32Array; // b borrows it; the handle is dropped below
    })();
    (() => void store.put(pixels(8), a))(); // the putter's own step also borrows what it put
    await collect(store);
    expect(store.size).toBe(2); // both unreachable, both pinned
    expect(store.endStep(b)).toBeUndefined(); // checksum still known: re-checked, no violation
    expect(store.size).toBe(1);
    expect(store.endStep(a)).toBeUndefined();
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
    expect(value?.[0]).toBe(7); // the borrower's value itself is untouched
    store.close();
  });

  it('still reports a borrower that changed a buffer whose ref became unreachable mid-step', async () => {
    const store = new MemoryStore({ verify: true });
    (() => {
      const ref = store.put(pixels(1), a);
      store.endStep(a);
      (store.get(ref, b) as Float32Array)[0] = -1;
    })();
    await collect(store);
    expect(store.endStep(b)).toMatchObject({ code: 'SKY_PRISTINE_VIOLATION', unitPath: 'root/s:1' });
    expect(store.size).toBe(0);
    store.close();
  });

  it('frees during a run that never waits on I/O, by giving the event loop a turn every turnAfterBytes', async () => {
    const gc = forceGc();
    const churn = async (turnAfterBytes: number): Promise<MemoryStore> => {
      const store = new MemoryStore({ verify: false, turnAfterBytes });
      let ref = store.put(pixels(0), a);
      store.endStep(a);
      // Only microtasks, like the inline runner: V8 keeps new handles alive until the job ends and
      // runs finalizers in a task of their own, so only the store's turns let anything go.
      for (let i = 1; i < 40; i++) {
        await store.beginStep(a);
        gc?.();
        const next = (store.get(ref, a) as Float32Array).map((x) => x + 1);
        ref = store.put(next, a);
        store.endStep(a);
      }
      expect((store.get(ref, b) as Float32Array)[0]).toBe(39);
      return store;
    };
    const turning = await churn(4 * 64 * KiB);
    const never = await churn(Infinity);
    expect(never.freed).toBe(0);
    expect(turning.freed).toBeGreaterThan(25);
    expect(turning.bytes).toBeLessThan(12 * 64 * KiB);
    turning.close();
    never.close();
  });

  it('runs a full collection at a turn once held bytes grew collectAfterBytes since the last one', async () => {
    let calls = 0;
    const kept: Ref[] = []; // all held: nothing can be freed, so bytes grow 64 KiB a put
    const store = new MemoryStore({ verify: false, turnAfterBytes: 64 * KiB, collectAfterBytes: 3 * 64 * KiB, gc: () => calls++ });
    for (let i = 0; i < 10; i++) {
      await store.beginStep(a);
      kept.push(store.put(pixels(i), a));
      store.endStep(a);
    }
    await store.beginStep(a); // after 10 puts: collections at 3, 6 and 9 values held
    expect(calls).toBe(3);
    expect(store.collections.count).toBe(3);
    store.close();
  });

  it('forces no collection while bytes stay flat (V8 frees in time), nor with collectAfterBytes Infinity', async () => {
    const gc = forceGc();
    let calls = 0;
    const flat = new MemoryStore({ verify: false, turnAfterBytes: 64 * KiB, collectAfterBytes: 8 * 64 * KiB, gc: () => calls++ });
    let ref = flat.put(pixels(0), a);
    flat.endStep(a);
    for (let i = 1; i < 30; i++) {
      await flat.beginStep(a);
      await sleep(0); // a task between steps, as on a cluster host: finalizers run
      gc?.(); // stands for V8's own collections
      ref = flat.put((flat.get(ref, a) as Float32Array).map((x) => x + 1), a);
      flat.endStep(a);
    }
    expect(flat.freed).toBeGreaterThan(20);
    expect(calls).toBe(0);
    const none = new MemoryStore({ verify: false, turnAfterBytes: 64 * KiB, collectAfterBytes: Infinity, gc: () => calls++ });
    const kept: Ref[] = [];
    for (let i = 0; i < 10; i++) {
      await none.beginStep(a);
      kept.push(none.put(pixels(i), a));
      none.endStep(a);
    }
    expect(calls).toBe(0);
    flat.close();
    none.close();
  });

  it('with freeUnreachable: false, frees nothing before close', async () => {
    const store = new MemoryStore({ verify: false, freeUnreachable: false });
    putAndDrop(store, a, 3);
    store.endStep(a);
    await collect(store);
    expect(store.size).toBe(3);
    expect(store.freed).toBe(0);
    store.close();
    expect(store.bytes).toBe(0);
  });
});
