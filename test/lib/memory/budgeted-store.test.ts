import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BudgetedStore, type BudgetedStoreOptions } from '../../../lib/memory/budgeted-store.ts';
import type { RunEventBody } from '../../../lib/events.ts';
import { forceGc } from '../../../lib/memory/force-gc.ts';
import type { Ref } from '../../../lib/ref.ts';
import { nodeSpillIo, type SpillIo } from '../../../lib/memory/spill-file.ts';
import { KiB, a, b, useTempDir } from './fixtures/store-test-kit.ts';

const tempDir = useTempDir('budgeted');


function open(options: Partial<BudgetedStoreOptions> = {}): Promise<BudgetedStore> {
  return BudgetedStore.open({ budget: 64 * KiB, directory: join(tempDir(), 'spill'), verify: false, ...options });
}

function image(n: number, seed: number): Float32Array {
  return new Float32Array(n).map((_, i) => Math.sin(seed * 1000 + i) * 1e3);
}

const spillFiles = async (): Promise<string[]> => (await readdir(join(tempDir(), 'spill'))).filter((f) => f.endsWith('.spill'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('BudgetedStore', () => {
  it('spills least-recently-used refs past the budget and reads them back bit-exact, reporting bytes', async () => {
    const events: RunEventBody[] = [];
    const store = await open({ emit: (e) => events.push(e) });
    const originals = [0, 1, 2, 3, 4, 5].map((i) => image(4 * KiB, i)); // 16 KiB each, 96 KiB in all
    const refs: Ref[] = [];
    for (const img of originals) refs.push(await store.put(img.slice(), a));
    store.endStep(a);
    expect(store.bytes).toBeLessThanOrEqual(64 * KiB);
    expect(store.diskBytes).toBeGreaterThan(0);
    for (const [i, ref] of refs.entries()) {
      const back = (await store.get(ref, b)) as Float32Array;
      expect(Buffer.from(back.buffer).equals(Buffer.from((originals[i] as Float32Array).buffer))).toBe(true);
      store.endStep(b);
    }
    const out = events.filter((e) => e.type === 'spill-out');
    const inn = events.filter((e) => e.type === 'spill-in');
    expect(out.length).toBeGreaterThan(0);
    expect(inn.length).toBeGreaterThan(0);
    for (const e of [...out, ...inn]) expect(e).toMatchObject({ ref: expect.stringMatching(/^r\d+$/), bytes: expect.any(Number) });
    expect((out[0] as { bytes: number }).bytes).toBeGreaterThan(16 * KiB); // file bytes: data plus header
    expect(events.some((e) => e.type === 'memory' && e.budget === 64 * KiB && e.resident <= 64 * KiB)).toBe(true);
    await store.close();
    expect(await spillFiles()).toEqual([]);
  });

  it('never spills a ref a running step borrows, and fails a step that pins more than the budget with the unit, bytes and budget', async () => {
    const store = await open();
    const refs: Ref[] = [];
    for (let i = 0; i < 3; i++) refs.push(await store.put(image(4 * KiB, i), a));
    store.endStep(a);
    for (const ref of refs) await store.get(ref, b); // 48 KiB pinned by b
    const error = await Promise.resolve(store.put(image(5 * KiB, 9), b)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SKY_MEMORY_BUDGET', unitPath: 'root/s:1', message: expect.stringMatching(/needs 20\.0 KiB \(20480 bytes\).*budget is 64\.0 KiB \(65536 bytes\)/) });
    expect(store.bytes).toBeLessThanOrEqual(64 * KiB);
    store.endStep(b);
    await expect(Promise.resolve(store.put(image(5 * KiB, 9), b))).resolves.toMatchObject({ bytes: 20 * KiB });
    await store.close();
  });

  it('fails a put of a step whose scratch fills the budget, saying how much running steps hold in hand', async () => {
    const store = await open();
    await store.scratch({ kind: 'scratch', type: 'Float64Array', length: 8 * KiB }, a); // 64 KiB: the whole budget, in a's hands
    const error = await Promise.resolve(store.put(new Float64Array(1), a)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SKY_MEMORY_BUDGET', unitPath: 'root/s:0', message: expect.stringMatching(/needs 8 B.*65536 bytes of scratch arrays and taken values in running steps' hands/) });
    store.endStep(a); // the scratch array's lease ends at the pause: the same put then fits
    await expect(Promise.resolve(store.put(new Float64Array(1), a))).resolves.toMatchObject({ bytes: 8 });
    await store.close();
  });

  it('fails a value larger than the whole budget with SKY_MEMORY_BUDGET', async () => {
    const store = await open();
    await expect(Promise.resolve(store.put(new Uint8Array(65 * KiB), a))).rejects.toMatchObject({ code: 'SKY_MEMORY_BUDGET', unitPath: 'root/s:0' });
    await store.close();
  });

  it('in verify mode, still catches a unit mutating a borrowed buffer after it was spilled and read back', async () => {
    const store = await open({ verify: true });
    const ref = await store.put(image(4 * KiB, 1), a);
    for (let i = 0; i < 5; i++) await store.put(image(4 * KiB, 10 + i), a); // push ref out to disk
    expect(store.endStep(a)).toBeUndefined();
    expect(store.diskBytes).toBeGreaterThan(0);
    const back = (await store.get(ref, b)) as Float32Array;
    back[7] = 0;
    expect(store.endStep(b)).toMatchObject({ code: 'SKY_PRISTINE_VIOLATION', unitPath: 'root/s:1', ref: ref.$ref });
    expect(() => store.get(ref, a)).toThrow(expect.objectContaining({ code: 'SKY_PRISTINE_VIOLATION' }));
    await store.close();
  });

  it('fails the reading unit with SKY_SPILL_CORRUPT when a spill file was tampered with, never returning wrong data', async () => {
    const store = await open();
    const ref = await store.put(image(4 * KiB, 1), a);
    for (let i = 0; i < 5; i++) await store.put(image(4 * KiB, 10 + i), a);
    store.endStep(a);
    await store.finished(); // under its ref's name now
    const file = join(tempDir(), 'spill', `${ref.$ref}.spill`);
    await writeFile(file, Buffer.alloc(16 * KiB + 40, 1));
    await expect(Promise.resolve(store.get(ref, b))).rejects.toMatchObject({ code: 'SKY_SPILL_CORRUPT', ref: ref.$ref, unitPath: 'root/s:1', message: expect.stringContaining(file) });
    await store.close();
  });

  it('reports a full disk as SKY_SPILL_WRITE at the put that needed room', async () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    let full = false;
    const io: SpillIo = {
      ...nodeSpillIo,
      open: async (path, flags) => {
        const h = await nodeSpillIo.open(path, flags);
        const writev = full ? () => Promise.reject(enospc) : h.writev.bind(h);
        return { writev, readv: h.readv.bind(h), sync: h.sync.bind(h), datasync: h.datasync.bind(h), truncate: h.truncate.bind(h), close: h.close.bind(h) };
      },
    };
    const store = await open({ io });
    full = true;
    let error: unknown;
    for (let i = 0; i < 6 && !error; i++) error = await Promise.resolve(store.put(image(4 * KiB, i), a)).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'SKY_SPILL_WRITE', cause: enospc });
    await store.close();
    expect(await spillFiles()).toEqual([]);
  });

  it('rejects an unusable spill directory at open with SKY_SPILL_DIR', async () => {
    await writeFile(join(tempDir(), 'a-file'), 'x');
    await expect(BudgetedStore.open({ budget: '1MB', directory: join(tempDir(), 'a-file', 'spill'), verify: false })).rejects.toMatchObject({
      code: 'SKY_SPILL_DIR',
      message: expect.stringContaining('a-file'),
    });
  });

  it('frees the refs a unit kept to itself when it ends, with no garbage collection: spill files pooled, all deleted at close', async () => {
    const store = await open();
    const refs: Ref[] = [];
    for (let i = 0; i < 6; i++) refs.push(await store.put(image(4 * KiB, i), a));
    store.endStep(a, refs[5]); // the last one leaves the unit (e.g. returned)
    await store.finished();
    expect(store.size).toBe(6);
    expect(store.diskBytes).toBeGreaterThan(0);
    store.endUnit(a);
    expect(store.size).toBe(1);
    await sleep(20);
    const refFiles = (await spillFiles()).filter((f) => !f.startsWith('free-'));
    expect(refFiles.every((f) => f.startsWith(`${refs[5]?.$ref}.`))).toBe(true);
    await expect(Promise.resolve().then(() => store.get(refs[0] as Ref, b))).rejects.toMatchObject({ code: 'SKY_UNKNOWN_REF' });
    await store.close();
    expect(await spillFiles()).toEqual([]);
  });

  it('keeps refs inside a spilled value alive, and gives back the same handles', async () => {
    const gc = forceGc();
    const store = await open();
    let outer: Ref = await (async () => {
      const inner = await store.put(image(4 * KiB, 1), a);
      return store.put({ inner, note: 'holds a ref' }, a);
    })();
    for (let i = 0; i < 6; i++) await store.put(image(4 * KiB, 20 + i), a);
    store.endStep(a);
    await sleep(50);
    for (let i = 0; i < 5; i++) {
      gc?.();
      await sleep(5);
    }
    const holder = (await store.get(outer, b)) as { inner: Ref };
    const pixels = (await store.get(holder.inner, b)) as Float32Array;
    expect(pixels[3]).toBe(image(4 * KiB, 1)[3]);
    store.endStep(b);
    outer = holder.inner;
    await store.close();
  });

  it('keeps resident bytes within the budget under random workloads, and every get is bit-exact (fast-check, seed printed and pinned)', async () => {
    const seed = 20240611;
    console.log(`budgeted-store property seed: ${seed}`);
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), unit: fc.nat(2), size: fc.integer({ min: 1, max: 12 * KiB }) }),
      fc.record({ kind: fc.constant('get' as const), unit: fc.nat(2), pick: fc.nat() }),
      fc.record({ kind: fc.constant('end' as const), unit: fc.nat(2) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 60 }), fc.integer({ min: 24 * KiB, max: 64 * KiB }), async (ops, budget) => {
        const store = await BudgetedStore.open({ budget, directory: join(tempDir(), 'prop'), verify: true });
        const units = [{ path: 'u0' }, { path: 'u1' }, { path: 'u2' }];
        const refs: { ref: Ref; copy: Uint8Array }[] = [];
        try {
          for (const o of ops) {
            const unit = units[o.unit] as { path: string };
            if (o.kind === 'end') {
              store.beginStep(unit);
              expect(store.endStep(unit)).toBeUndefined();
            } else if (o.kind === 'put') {
              const value = new Uint8Array(o.size).map((_, i) => (i * 31 + o.size) & 255);
              const ref = await Promise.resolve(store.put(value, unit)).catch((e: { code?: string }) => {
                expect(e.code).toBe('SKY_MEMORY_BUDGET');
                return undefined;
              });
              if (ref) refs.push({ ref, copy: value.slice() });
            } else if (refs.length > 0) {
              const { ref, copy } = refs[o.pick % refs.length] as { ref: Ref; copy: Uint8Array };
              const value = await Promise.resolve(store.get(ref, unit)).catch((e: { code?: string }) => {
                expect(e.code).toBe('SKY_MEMORY_BUDGET');
                return undefined;
              });
              if (value) expect(Buffer.from(value as Uint8Array).equals(copy)).toBe(true);
            }
            expect(store.bytes).toBeLessThanOrEqual(budget);
          }
          expect(store.peakBytes).toBeLessThanOrEqual(budget);
        } finally {
          await store.close();
        }
        expect((await readdir(join(tempDir(), 'prop'))).filter((f) => !f.startsWith('.'))).toEqual([]);
      }),
      { seed, numRuns: 60 },
    );
  });
});

describe('BudgetedStore and the event loop', () => {
  it('gives the event loop a turn at a step start while spill I/O is in flight, so its completions are not held up by the steps', async () => {
    const store = await BudgetedStore.open({ budget: 8 * 1024, directory: join(tempDir(), 'turns'), verify: false });
    expect(store.beginStep({ path: 'root/s:0' })).toBeUndefined(); // nothing in flight: no turn
    for (let i = 0; i < 4; i++) await store.put(new Uint8Array(4 * 1024).fill(i), { path: 'root/s:0' }); // forces writes
    store.endStep({ path: 'root/s:0' });
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    const turn = store.beginStep({ path: 'root/s:1' });
    expect(turn).toBeInstanceOf(Promise);
    await turn;
    order.push('step');
    expect(order).toEqual(['immediate', 'step']);
    await store.close();
  });
});
