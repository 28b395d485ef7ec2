import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compiledBuild } from '../../../cli/launcher/compiled-build.mjs';
import { returnPages } from '../../../lib/memory/return-pages.ts';

const MiB = 2 ** 20;

describe('returnPages', () => {
  it('gives a buffer’s pages back to the kernel and leaves the buffer attached, its pages zero', () => {
    const buffer = new ArrayBuffer(64 * MiB);
    new Uint8Array(buffer).fill(7);
    const returned = returnPages(buffer);
    if (process.platform !== 'linux') expect(returned).toBe(0);
    else expect(returned).toBeGreaterThanOrEqual(64 * MiB - 4096); // all but the partial pages at its ends
    expect(buffer.byteLength).toBe(64 * MiB);
    if (process.platform === 'linux') expect(new Uint8Array(buffer)[32 * MiB]).toBe(0);
  });

  it('leaves buffers under 8 KiB to the collector', () => {
    const buffer = new Uint8Array(6 * 1024).fill(7).buffer;
    expect(returnPages(buffer)).toBe(0);
    expect(new Uint8Array(buffer)[3 * 1024]).toBe(7);
  });

  // Plain node, compiled code: under tsx (this test's own process) the protector is gone already.
  it.runIf(process.platform === 'linux')('lowers RSS at once and keeps V8’s detaching protector, in a plain node process', () => {
    const build = compiledBuild(fileURLToPath(new URL('../../..', import.meta.url)));
    const script = `
      const { returnPages } = await import(${JSON.stringify(`${build}/lib/memory/return-pages.js`)});
      const buffers = Array.from({ length: 8 }, () => new Uint8Array(16 * 2 ** 20).fill(1).buffer);
      const before = process.memoryUsage().rss;
      const returned = buffers.map(returnPages).filter((bytes) => bytes > 0).length;
      console.log(JSON.stringify({ returned, droppedMiB: (before - process.memoryUsage().rss) / 2 ** 20 }));`;
    const r = spawnSync(process.execPath, ['--trace-protector-invalidation', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('ArrayBufferDetaching');
    const { returned, droppedMiB } = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { returned: number; droppedMiB: number };
    expect(returned).toBe(8);
    expect(droppedMiB).toBeGreaterThan(100); // 128 MiB of pages, less their partial first and last pages
  });
});
