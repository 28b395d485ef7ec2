import { describe, expect, it } from 'vitest';
import { run } from '../../../lib/index.ts';
import { clusterRunner } from '../../../runners/index.ts';
import { loadedPackagesRoot } from './fixtures/loaded-packages.ts';

describe('a cluster worker host', () => {
  it('does not load the run ledger (better-sqlite3, write-file-atomic, picomatch) when the run keeps none', async () => {
    const { output } = await run(loadedPackagesRoot, 4, { runner: clusterRunner({ workers: 2 }) });
    const answers = output as { thread: number; loaded: string[] }[];
    expect(new Set(answers.map((a) => a.thread)).size).toBe(2); // both hosts answered, not the main thread
    expect(answers.every((a) => a.thread !== 0)).toBe(true);
    expect(answers.flatMap((a) => a.loaded)).toStrictEqual([]);
  });
});
