import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { BudgetedStore } from '../../../lib/memory/budgeted-store.ts';
import { MemoryPolicy } from '../../../lib/memory/memory-policy.ts';
import { nodeSpillIo, type SpillFileHandle, type SpillIo } from '../../../lib/memory/spill-file.ts';
import { SpillStore } from '../../../lib/memory/spill-store.ts';
import { KiB, a, image, underPressure, useTempDir } from './fixtures/store-test-kit.ts';

// When reads and writes overlap a unit's compute, and what memory they use: prefetch for the units
// that run next, and buffers of values freed while their I/O is in flight.

const tempDir = useTempDir('prefetch');
function open(): Promise<BudgetedStore> {
  return BudgetedStore.open({ budget: 64 * KiB, directory: join(tempDir(), 'spill'), verify: false });
}

/** Node's file I/O, with writes that wait while the gate is closed. */
function gatedWrites(): { io: SpillIo; close(): void; open(): void } {
  let gate: Promise<void> = Promise.resolve();
  let release = (): void => {};
  const gated = (handle: SpillFileHandle): SpillFileHandle =>
    Object.assign(Object.create(handle) as SpillFileHandle, {
      writev: async (buffers: NodeJS.ArrayBufferView[], position?: number) => {
        await gate;
        return handle.writev(buffers, position);
      },
      readv: (buffers: NodeJS.ArrayBufferView[], position: number) => handle.readv(buffers, position),
      truncate: (length: number) => handle.truncate(length),
      close: () => handle.close(),
    });
  const io: SpillIo = { ...nodeSpillIo, open: async (path, flags) => gated(await nodeSpillIo.open(path, flags)) };
  return {
    io,
    close: () => void (gate = new Promise((resolve) => (release = resolve))),
    open: () => release(),
  };
}

describe('prefetch and recycling around I/O in flight', () => {
  it('recycles the buffers of values freed while they are written once the writes end, counted until then', async () => {
    const store = await open();
    await underPressure(store); // from now on it writes behind
    for (let i = 0; i < 4; i++) await store.put(image(i), a, { transfer: true }); // a full store, all pinned by a's step
    store.endStep(a);
    await Promise.resolve(); // write-behind, after the step's end: the oldest are being written
    store.endUnit(a); // frees all four, in a later step's end: the refs never left the unit
    expect(store.bytes).toBe(64 * KiB); // what is being written is still in memory, and counted
    expect(store.spareBytes).toBeLessThan(64 * KiB);
    await vi.waitFor(() => expect(store.spareBytes).toBe(64 * KiB), { timeout: 10_000 }); // every buffer kept for the next reads, none left to the collector
    expect(store.bytes).toBe(64 * KiB);
    await store.close();
  });

  it('reads ahead for the unit that runs next once a write makes room, before that unit begins', async () => {
    const gate = gatedWrites();
    await mkdir(join(tempDir(), 'spill'));
    const spill = new SpillStore({ directory: join(tempDir(), 'spill'), io: gate.io, verify: false });
    const policy = new MemoryPolicy(spill, { budget: 64 * KiB });
    // One value more than the budget holds: a write makes room, so from then on the policy writes behind.
    const pressing = ['p0', 'p1', 'p2', 'p3', 'p4'];
    for (const [i, id] of pressing.entries()) {
      await policy.admit(16 * KiB, 'p', () => spill.add(id, image(i), 16 * KiB));
      policy.touch(id);
    }
    for (const id of pressing) {
      policy.forget(id);
      spill.free(id);
    }
    await spill.finished();
    for (const id of ['x', 'y']) {
      spill.add(id, image(id.charCodeAt(0)), 16 * KiB);
      await spill.write(id);
      spill.drop(id);
    }
    // Unit a borrows x, then unit b borrows y: the policy learns that b runs after a.
    for (const [unit, id] of [['a', 'x'], ['b', 'y']] as const) {
      policy.beginStep(unit);
      await spill.read(id);
      policy.pin(unit, id);
      policy.endStep(unit);
      spill.drop(id);
    }
    // Three other values fill the rest of the budget, and their writes wait at the gate.
    gate.close();
    for (const id of ['d1', 'd2', 'd3']) {
      spill.add(id, image(id.charCodeAt(1)), 16 * KiB);
      policy.touch(id);
    }
    policy.writeBehind();
    policy.beginStep('a');
    expect([spill.state('x'), spill.state('y')]).toEqual(['reading', 'spilled']); // room for a's read only
    gate.open();
    await spill.finished();
    await new Promise((resolve) => setImmediate(resolve));
    expect(spill.state('y')).not.toBe('spilled'); // a write ended, its value could be dropped: b's read started
    expect(spill.memory.bytes).toBeLessThanOrEqual(64 * KiB);
    await spill.close(false);
  });
});
