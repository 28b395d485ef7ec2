import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { algorithm, run, tuneMalloc } from '../../../lib/index.ts';
import { inlineRunner } from '../../../runners/index.ts';

const child = new URL('./fixtures/reallocate.ts', import.meta.url).pathname;
const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;

function reallocate(mode: 'on' | 'off' | 'run', thread: 'main' | 'worker'): { tuning?: { applied: boolean; detail: string }; faults: number } {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', child, mode, thread], { encoding: 'utf8' });
  return JSON.parse(out.trim()) as { tuning?: { applied: boolean; detail: string }; faults: number };
}

const noop = algorithm(import.meta.url, async function* noop(_ctx, n: number) {
  return n;
});

describe('tuneMalloc', () => {
  it('makes memory freed by a collection come back without page faults on glibc, in the main thread and in workers, and says why it does nothing elsewhere', () => {
    if (process.platform !== 'linux' || glibc === undefined) {
      expect(tuneMalloc()).toMatchObject({ applied: false, detail: expect.stringMatching(/not glibc/) });
      return;
    }
    for (const thread of ['main', 'worker'] as const) {
      const untuned = reallocate('off', thread);
      const tuned = reallocate('on', thread);
      expect(tuned.tuning?.applied).toBe(true);
      // 8 × 16 MiB is 32,768 pages: untuned, glibc gave the freed blocks back and faults them all in again
      // (a worker's arena unmaps its emptied heaps); tuned, at most a block or so (one may still be held
      // when the collection runs) is new.
      expect(untuned.faults, thread).toBeGreaterThan(16_000);
      expect(tuned.faults, thread).toBeLessThan(8_000);
    }
  });

  it('returns the first outcome on later calls', () => {
    expect(tuneMalloc()).toBe(tuneMalloc());
  });

  it('is never applied by importing skyloom or by a run: only by calling it', () => {
    if (process.platform !== 'linux' || glibc === undefined) return expect(tuneMalloc().applied).toBe(false);
    // 'run': the child imports the public index and finishes a run before reallocating: glibc keeps
    // its defaults, so the freed blocks are faulted in again as with 'off'.
    expect(reallocate('run', 'main').faults).toBeGreaterThan(16_000);
  });

  it('no longer exists as a start() option: an unknown mallocTuning option changes nothing', async () => {
    const result = await run(noop, 1, { runner: inlineRunner(), mallocTuning: true } as unknown as Parameters<typeof run>[2]);
    expect(result.output).toBe(1);
  });
});
