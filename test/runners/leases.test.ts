import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, type Runner } from '../../lib/index.ts';
import { clusterRunner, inlineRunner, laptopRunner } from '../../runners/index.ts';
import { arrayBufferSamples, expiredParent, holdingVisit } from './fixtures/lease-algorithms.ts';
import { useTempDir } from '../fixtures/temp-dir.ts';

// A borrowed value is a lease that ends at the next pause: a paused unit's local still pointing at it
// keeps nothing resident, and (verify mode) using it after the pause is a typed error.

const tempDir = useTempDir('leases');

const MiB = 2 ** 20;

describe('leases', () => {
  it.each([
    ['verify off', false],
    ['verify on', true],
  ])('a paused unit holding a borrowed array does not keep it resident, with no collection forced (laptop, %s)', async (_name, verify) => {
    arrayBufferSamples.length = 0;
    const before = process.memoryUsage().arrayBuffers;
    const budget = 8 * MiB;
    const sensors = 40;
    const { output } = await run(holdingVisit, { sensors, pixels: MiB / 4 }, { runner: laptopRunner({ memoryBudget: budget }), verify, runDir: join(tempDir(), 'run') });
    expect(output).toEqual(Array.from({ length: sensors }, (_, i) => 780 + i));
    // 40 MiB of images were borrowed and kept in locals across the gather; the process holds the
    // budget (store and spare buffers) beside what it held before, plus one image of slack.
    expect(arrayBufferSamples).toHaveLength(1);
    expect(arrayBufferSamples[0]).toBeLessThanOrEqual(before + budget + MiB);
  });

  const runners: [string, () => Runner][] = [
    ['inline', () => inlineRunner()],
    ['laptop', () => laptopRunner({ memoryBudget: '1MB' })],
    ['cluster', () => clusterRunner({ workers: 2 })],
  ];
  describe.each(runners)('in verify mode on %s', (_name, make) => {
    it.each(['method', 'pass-on', 'put'] as const)('a use after the pause (%s) fails with SKY_LEASE_EXPIRED naming the unit, the ref and the pause', async (use) => {
      const error = await run(expiredParent, use, { runner: make(), verify: true, runDir: join(tempDir(), use) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'SKY_UNIT_FAILED', unitPath: 'root' });
      const failed = (error as { cause?: { code?: string; unitPath?: string; cause?: { code?: string; message?: string } } }).cause;
      expect(failed).toMatchObject({ code: 'SKY_UNIT_FAILED', unitPath: 'root/expiredUse:0' });
      expect(failed?.cause?.code).toBe('SKY_LEASE_EXPIRED');
      expect(failed?.cause?.message).toMatch(/ref \S+, whose lease ended at the unit's pause at gather#1/);
    });
  });
});
