import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { readOwnProcMemory, readProcMemory } from '../../../bench/scale/proc-memory.ts';

describe('resident memory from /proc', () => {
  it("reads a live process's VmRSS and VmHWM in bytes, and undefined once it has exited", async () => {
    const own = readOwnProcMemory();
    expect(own.rssBytes).toBeGreaterThan(10e6); // a node process holds at least ~40 MB
    expect(own.hwmBytes).toBeGreaterThanOrEqual(own.rssBytes);
    // A child that allocates and touches 64 MiB: its high-water mark shows it.
    const child = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(64 * 2 ** 20, 1); process.stdout.write("ready"); setTimeout(() => b.length, 5000)']);
    await once(child.stdout, 'data');
    const live = await readProcMemory(child.pid ?? -1);
    expect(live?.hwmBytes).toBeGreaterThan(64 * 2 ** 20);
    child.kill();
    await once(child, 'close');
    expect(await readProcMemory(child.pid ?? -1)).toBeUndefined();
  });
});
