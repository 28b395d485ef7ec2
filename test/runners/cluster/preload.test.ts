import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../../lib/index.ts';
import { clusterRunner } from '../../../runners/index.ts';
import { preloadRoot } from './fixtures/preload-root.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skyloom-cluster-preload-'));
});
afterEach(async () => {
  delete process.env.SKY_TEST_PRELOAD_DIR;
  await rm(dir, { recursive: true, force: true });
});

describe('cluster hosts preload the run module', () => {
  it('loads the root algorithm module on every host, even one that runs no unit', async () => {
    const seen = join(dir, 'seen');
    await import('node:fs/promises').then((fs) => fs.mkdir(seen));
    process.env.SKY_TEST_PRELOAD_DIR = seen; // workers copy the environment when they start
    const result = await run(preloadRoot, 1, { runner: clusterRunner({ workers: 3 }), runDir: join(dir, 'run') });
    expect(result.output).toBe(2);
    const threads = (await readdir(seen)).filter((f) => f !== `thread-0`); // this thread imported it too
    expect(threads).toHaveLength(3);
  });
});
