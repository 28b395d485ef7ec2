import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetedStore } from '../../../lib/memory/budgeted-store.ts';
import { nodeSpillIo, type SpillIo } from '../../../lib/memory/spill-file.ts';
import type { Ref } from '../../../lib/ref.ts';
import { KiB, a, b, image, useTempDir } from './fixtures/store-test-kit.ts';

const tempDir = useTempDir('spill-sync');

/** Node's file I/O, counting `fdatasync` calls. */
function countingSyncs(): { io: SpillIo; syncs: () => number } {
  let syncs = 0;
  const io: SpillIo = {
    ...nodeSpillIo,
    open: async (path, flags) => {
      const h = await nodeSpillIo.open(path, flags);
      const datasync = (): Promise<void> => (syncs++, h.datasync());
      return { writev: h.writev.bind(h), readv: h.readv.bind(h), sync: h.sync.bind(h), datasync, truncate: h.truncate.bind(h), close: h.close.bind(h) };
    },
  };
  return { io, syncs: () => syncs };
}

/** Puts twelve 16 KiB images under a 64 KiB budget (so most are spilled), reads each back and checks it; returns the store, still open. */
async function spillAndReadBack(directory: string, io: SpillIo, keepFiles: boolean): Promise<BudgetedStore> {
  const store = await BudgetedStore.open({ budget: 64 * KiB, directory, verify: false, io, keepFiles });
  const refs: Ref[] = [];
  for (let seed = 0; seed < 12; seed++) {
    refs.push(await store.put(image(seed), a));
    store.endStep(a);
  }
  for (const [seed, ref] of refs.entries()) {
    expect(Array.from((await store.get(ref, b)) as Float32Array), `ref ${ref.$ref}`).toEqual(Array.from(image(seed)));
    store.endStep(b);
  }
  await store.finished();
  return store;
}

describe('spill files and the disk', () => {
  it('never syncs a spill file the run deletes (it is read only through the page cache by the process that wrote it)', async () => {
    const { io, syncs } = countingSyncs();
    const directory = join(tempDir(), 'spill');
    const store = await spillAndReadBack(directory, io, false);
    expect(store.ioStats.filesOut).toBeGreaterThan(4);
    expect(syncs()).toBe(0);
    await store.close();
    expect(await readdir(directory)).toEqual([]);
  });

  it('syncs each file kept after the run before it takes its ref\'s name', async () => {
    const { io, syncs } = countingSyncs();
    const directory = join(tempDir(), 'kept');
    const store = await spillAndReadBack(directory, io, true);
    const written = store.ioStats.filesOut;
    expect(written).toBeGreaterThan(4);
    expect(syncs()).toBe(written);
    await store.close();
    expect((await readdir(directory)).filter((f) => f.endsWith('.spill'))).toHaveLength(written);
  });
});
