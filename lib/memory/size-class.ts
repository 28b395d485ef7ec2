/**
 * Sizes of the buffers a budgeted store allocates for scratch arrays: above 64 KiB a request is
 * rounded up to the next of 2^k × {1, 1.25, 1.5, 1.75} (at most 25% more), so requests of nearby sizes
 * (a residual, a sample of every 7th pixel, a catalog) share recycled buffers instead of each size
 * allocating its own and letting another go. Pure; never throws.
 */
const exactBelow = 64 * 1024;
const steps = [1, 1.25, 1.5, 1.75, 2];

/** The buffer size to allocate for `bytes`. */
export function sizeClass(bytes: number): number {
  if (bytes <= exactBelow) return bytes;
  const base = 2 ** Math.floor(Math.log2(bytes));
  for (const step of steps) if (base * step >= bytes) return base * step;
  return 2 * base;
}

