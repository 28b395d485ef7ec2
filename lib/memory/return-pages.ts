import { createRequire } from 'node:module';

/**
 * Gives the memory of an ArrayBuffer nothing will read again back to the kernel now, without
 * detaching it: `madvise(MADV_DONTNEED)` on the whole pages inside it (Linux, through koffi). The
 * buffer stays valid (those pages read as zero if touched again, and are faulted back in); its small
 * rest and its address range go when the garbage collector finds it dead.
 *
 * Why not detach it (`structuredClone(buffer, { transfer })`, which moves the memory to a young
 * handle the next scavenge frees): one detach anywhere in a thread invalidates V8's "array buffer
 * detaching" protector for good, and every typed-array loop of that thread then checks for detached
 * buffers, measured here up to 1.6x slower. Why not wait for the collector: it finds old buffers only
 * in full collections, which V8 runs by its own heap's growth, so RSS would float above the budget.
 *
 * Not covered: other systems (no koffi, not Linux, no libc.so.6): there it does nothing and returns
 * false, and the collector frees the memory in its time. Buffers under 64 KiB are left to it too.
 * Never throws.
 */
const MADV_DONTNEED = 4;
const page = 4096n;
const smallest = 64 * 1024;

type Madvise = (address: bigint, length: bigint, advice: number) => number;
interface Koffi {
  load(name: string): { func(signature: string): Madvise };
  address(value: unknown): bigint;
}

let loaded: { readonly koffi: Koffi; readonly madvise: Madvise } | null | undefined;

/** Returns true if the pages went back to the kernel. */
export function returnPages(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength < smallest) return false;
  const native = load();
  if (!native) return false;
  try {
    const address = native.koffi.address(buffer);
    const start = ((address + page - 1n) / page) * page;
    const end = ((address + BigInt(buffer.byteLength)) / page) * page;
    return end > start && native.madvise(start, end - start, MADV_DONTNEED) === 0;
  } catch {
    return false;
  }
}

function load(): typeof loaded {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.platform !== 'linux') return loaded;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    const madvise = koffi.load('libc.so.6').func('int madvise(uintptr_t addr, size_t length, int advice)');
    loaded = { koffi, madvise };
  } catch {
    // no koffi binary for this platform, or another C library: the collector frees the memory
  }
  return loaded;
}
