import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetedStore } from '../../../lib/memory/budgeted-store.ts';
import { nodeSpillIo, type SpillIo } from '../../../lib/memory/spill-file.ts';
import type { Ref } from '../../../lib/ref.ts';
import { KiB, a, b, useTempDir } from './fixtures/store-test-kit.ts';

const tempDir = useTempDir('spill-mutation');

/** Node's file I/O, except that the first write changes one byte of the value it writes, as a unit writing into a stored buffer meanwhile would. */
function mutatingIo(): SpillIo {
  let done = false;
  return {
    ...nodeSpillIo,
    open: async (path, flags) => {
      const h = await nodeSpillIo.open(path, flags);
      const writev: typeof h.writev = (parts, position) => {
        const data = parts.reduce((big, part) => (part.byteLength > big.byteLength ? part : big)); // the value's pixels
        if (!done && data.byteLength >= KiB) {
          done = true;
          const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
          bytes[0] = (bytes[0] as number) ^ 0xff;
        }
        return h.writev(parts, position);
      };
      return { writev, readv: h.readv.bind(h), sync: h.sync.bind(h), datasync: h.datasync.bind(h), truncate: h.truncate.bind(h), close: h.close.bind(h) };
    },
  };
}

/** The store answers synchronously or with a promise, and may throw either way. */
const settle = (call: () => unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> =>
  Promise.resolve()
    .then(call)
    .then(
    (v) => ({ ok: true as const, value: v }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/** Puts eight values (the first one written is changed during its write), then reads back every ref put; returns the errors met. */
async function putAndReadBack(verify: boolean): Promise<unknown[]> {
  const store = await BudgetedStore.open({ budget: 64 * KiB, directory: join(tempDir(), `spill-${verify}`), verify, io: mutatingIo() });
  const errors: unknown[] = [];
  const refs: { ref: Ref; fill: number }[] = [];
  for (let i = 0; i < 8; i++) {
    const put = await settle(() => store.put(new Float32Array(4 * KiB).fill(i), a));
    if (put.ok) refs.push({ ref: put.value as Ref, fill: i });
    else errors.push(put.error);
    store.endStep(a);
  }
  for (const { ref, fill } of refs) {
    const got = await settle(() => store.get(ref, b));
    if (!got.ok) errors.push(got.error);
    else expect((got.value as Float32Array).every((x) => x === fill), `ref ${ref.$ref} reads back pristine`).toBe(true);
    store.endStep(b); // in verify mode the lease ends here: the array is detached
  }
  await store.close();
  return errors;
}

describe('a value that changes while it is spilled', () => {
  it('in verify mode, fails its readers (or the put that needed room) with SKY_PRISTINE_VIOLATION naming its latest borrower, never as a corrupt spill file', async () => {
    const errors = await putAndReadBack(true);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error).toMatchObject({ code: 'SKY_PRISTINE_VIOLATION', unitPath: a.path, ref: expect.any(String) });
      expect((error as Error).message).toMatch(/changed while it was written to spill file/);
    }
  });

  it('outside verify mode (no second checksum pass), fails its reader with SKY_SPILL_CORRUPT, never with wrong data', async () => {
    const errors = await putAndReadBack(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'SKY_SPILL_CORRUPT', ref: expect.any(String) });
    expect((errors[0] as Error).message).toMatch(/or a unit changed the value in place while it was written/);
  });
});
