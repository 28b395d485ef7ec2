import { createRequire } from 'node:module';

/**
 * Keeps memory that C `free()`s in the process (glibc malloc), so a run that frees and allocates big
 * buffers over and over reuses pages it already has instead of faulting new ones in.
 *
 * Why: every image version, every spill read-back and every copy between threads is a fresh
 * ArrayBuffer, and its backing store comes from `calloc`. With glibc's defaults a freed 16 MiB block
 * goes back to the kernel (the heap top is trimmed once 2 × the dynamic mmap threshold is free), and
 * the next allocation faults each 4 KiB page in again: measured on this project's machine ~9 µs a
 * page, ~37 ms per 16 MiB, several times the compute of a step over it. With the settings below the
 * focal-plane workload ran ~2× faster on the laptop runner, ~1.4× on the inline one and ~2× on two
 * cluster workers. They only change when memory already freed goes back to the kernel, not how much
 * is in use at once.
 *
 * - `M_MMAP_THRESHOLD` (1 GiB): blocks below it come from a heap, where freed ones are reused,
 *   instead of a mapping of their own that `free` unmaps.
 * - `M_TRIM_THRESHOLD` (1 GiB): the free top of the main heap is given back only past it.
 * - `M_TOP_PAD` (64 MiB): worker threads allocate from their own arenas, whose heaps are at most
 *   64 MiB and are unmapped whole once empty unless this much padding is to be kept; so a worker's
 *   heaps stay mapped and its freed images are reused too.
 *
 * Process-wide and for the rest of the process (glibc has no way back to its dynamic thresholds), so
 * it is opt-in: importing skyloom or starting a run never calls it. The `skyloom` command (an
 * application, owner of its process) calls it at start unless SKYLOOM_MALLOC_TUNING=0; benchmarks
 * call it before their baselines so both sides run with it.
 * Calls `mallopt` through koffi (an FFI library with prebuilt binaries); does not cover other C
 * libraries (musl, macOS, Windows): there it does nothing and says why. Never throws.
 */
export interface MallocTuning {
  readonly applied: boolean;
  /** What was set, or why nothing was. */
  readonly detail: string;
}

const MiB = 2 ** 20;
/** `mallopt` parameters (glibc's malloc.h numbers) and the values set. */
const settings: readonly { readonly name: string; readonly param: number; readonly bytes: number }[] = [
  { name: 'M_MMAP_THRESHOLD', param: -3, bytes: 1024 * MiB },
  { name: 'M_TRIM_THRESHOLD', param: -1, bytes: 1024 * MiB },
  { name: 'M_TOP_PAD', param: -2, bytes: 64 * MiB },
];

let outcome: MallocTuning | undefined;

/** Applies the settings once per process; later calls return the first outcome. */
export function tuneMalloc(): MallocTuning {
  outcome ??= apply();
  return outcome;
}

function apply(): MallocTuning {
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  if (process.platform !== 'linux' || glibc === undefined) return { applied: false, detail: 'not glibc: left to the C library' };
  try {
    const koffi = createRequire(import.meta.url)('koffi') as { load(name: string): { func(signature: string): (param: number, value: number) => number } };
    const mallopt = koffi.load('libc.so.6').func('int mallopt(int param, int value)');
    const refused = settings.filter(({ param, bytes }) => mallopt(param, bytes) !== 1).map(({ name }) => name);
    if (refused.length > 0) return { applied: false, detail: `glibc ${glibc} refused ${refused.join(', ')}` };
    return { applied: true, detail: `glibc ${glibc}: ${settings.map(({ name, bytes }) => `${name} ${bytes / MiB} MiB`).join(', ')}` };
  } catch (error) {
    return { applied: false, detail: `mallopt unavailable: ${(error as Error).message}` };
  }
}
