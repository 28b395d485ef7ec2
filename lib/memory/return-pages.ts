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
 * 0, and the collector frees the memory in its time. Buffers under 8 KiB are left to it too, and
 * so are the partial pages at a buffer's two ends.
 * Never throws.
 */
const MADV_DONTNEED = 4;
const page = 4096n;
/** Below two pages a buffer rarely holds a whole page. */
const smallest = 8 * 1024;

type Madvise = (address: bigint, length: bigint, advice: number) => number;
interface Koffi {
  load(name: string): { func(signature: string): Madvise };
  address(value: unknown): bigint;
}

let loaded: { readonly koffi: Koffi; readonly madvise: Madvise } | null | undefined;
/** This thread's buffers whose pages went back (and how many bytes): V8 counts them until it collects them. */
const letGo: { readonly buffer: WeakRef<ArrayBuffer>; readonly bytes: number }[] = [];

/**
 * Bytes this thread gave back to the kernel from buffers V8 has not collected yet:
 * `process.memoryUsage().arrayBuffers` (per thread) still counts them, the process's RSS does not.
 * Never throws.
 */
export function returnedUncollected(): number {
  // Compacted in place: every memory event asks, so no array is made per call.
  let bytes = 0;
  let kept = 0;
  for (const entry of letGo) {
    if (entry.buffer.deref() === undefined) continue;
    letGo[kept++] = entry;
    bytes += entry.bytes;
  }
  letGo.length = kept;
  return bytes;
}

/** Returns the bytes given back to the kernel (whole pages), 0 if none. */
export function returnPages(buffer: ArrayBuffer): number {
  if (buffer.byteLength < smallest) return 0;
  const native = load();
  if (!native) return 0;
  try {
    const address = native.koffi.address(buffer);
    const start = ((address + page - 1n) / page) * page;
    const end = ((address + BigInt(buffer.byteLength)) / page) * page;
    if (end <= start || native.madvise(start, end - start, MADV_DONTNEED) !== 0) return 0;
    const bytes = Number(end - start);
    letGo.push({ buffer: new WeakRef(buffer), bytes });
    return bytes;
  } catch {
    return 0;
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
