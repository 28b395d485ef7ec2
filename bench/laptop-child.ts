/**
 * One measured run of bench/laptop, in its own process so its peak RSS is its own. Prints one JSON
 * line: wall time, peak RSS (`resourceUsage().maxRSS`), the outputs, and for the laptop runner its
 * spill I/O figures plus a plain sequential write+read of the same byte counts in the same directory.
 * Mode `handwritten` runs the hand-written spill loop of `laptop-handwritten.ts` instead of skyloom;
 * `handwritten-nosync` the same loop without durable writes.
 * Usage: node --import tsx bench/laptop-child.ts <inline|laptop|handwritten|handwritten-nosync> '<json params>'
 */
import { mkdir, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, tuneMalloc } from '../lib/index.ts';
import type { SpillIoStats } from '../lib/memory/spill-store.ts';
import { inlineRunner } from '../runners/index.ts';
import { laptopRunnerWith } from '../runners/laptop.ts';
import { focalPlane, type FocalPlaneParams } from './workload/focal-plane.ts';
import { handwrittenSpillLoop } from './laptop-handwritten.ts';

// Applications opt in to malloc tuning (importing skyloom never does); both sides of every ratio run with it.
tuneMalloc();

export interface ChildParams extends FocalPlaneParams {
  readonly budget: number;
}

export interface ChildResult {
  readonly mode: string;
  readonly wallMs: number;
  readonly rssBytes: number;
  readonly output: unknown;
  readonly peakStoreBytes: number;
  readonly warnings: number;
  readonly spill?: SpillIoStats;
  readonly plain?: { readonly bytes: number; readonly ms: number };
}

const [mode, json] = process.argv.slice(2);
const p = JSON.parse(json ?? '{}') as ChildParams;
const runDir = join(tmpdir(), 'skyloom-bench-laptop', `${mode}-${process.pid}`);
let spill: SpillIoStats | undefined;
const runner =
  mode === 'inline'
    ? inlineRunner()
    : laptopRunnerWith({ memoryBudget: p.budget }, { beforeClose: (store) => (spill = store.ioStats) });
if (mode === 'handwritten' || mode === 'handwritten-nosync') {
  const t = performance.now();
  const hand = await handwrittenSpillLoop(p, join(runDir, 'spill'), mode === 'handwritten');
  const wallMs = performance.now() - t;
  const rssBytes = process.resourceUsage().maxRSS * 1024;
  const spillStats = { bytesOut: hand.bytesOut, bytesIn: hand.bytesIn, filesOut: 0, filesIn: 0, busyMs: 0 };
  console.log(JSON.stringify({ mode, wallMs, rssBytes, output: hand.output, peakStoreBytes: 0, warnings: 0, spill: spillStats } satisfies ChildResult));
  process.exit(0);
}
const t0 = performance.now();
const result = await run(focalPlane, p, { runner, verify: false, runDir, eventWindow: 1000 });
const wallMs = performance.now() - t0;
const rssBytes = process.resourceUsage().maxRSS * 1024;
const warnings = result.events.filter((e) => e.type === 'warning').length;
const plain = spill ? await plainWriteRead(spill.bytesOut, spill.bytesIn, p.width * p.height * 4) : undefined;
await rm(runDir, { recursive: true, force: true });
const out: ChildResult = { mode: mode ?? '?', wallMs, rssBytes, output: result.output, peakStoreBytes: result.stats.peakStoreBytes, warnings, ...(spill ? { spill } : {}), ...(plain ? { plain } : {}) };
console.log(JSON.stringify(out));

/** Writes `outBytes` in `chunk`-sized sequential writes to one file (not synced, as spill files are not), then reads `inBytes` back sequentially. */
async function plainWriteRead(outBytes: number, inBytes: number, chunk: number): Promise<{ bytes: number; ms: number }> {
  await mkdir(runDir, { recursive: true });
  const file = join(runDir, 'plain.bin');
  const data = new Uint8Array(chunk).map((_, i) => i & 255);
  const t = performance.now();
  const w = await open(file, 'w');
  for (let done = 0; done < outBytes; done += chunk) await w.write(data, 0, Math.min(chunk, outBytes - done), done);
  await w.close();
  const r = await open(file, 'r');
  for (let done = 0; done < inBytes; done += chunk) {
    const n = Math.min(chunk, inBytes - done);
    await r.read(new Uint8Array(n), 0, n, outBytes > 0 ? done % outBytes : 0);
  }
  await r.close();
  return { bytes: outBytes + inBytes, ms: performance.now() - t };
}
