import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compiledBuild } from '../../../cli/launcher/compiled-build.mjs';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const { NODE_OPTIONS: _, ...env } = process.env; // the child runs plain node: no loader from this process

interface Probe {
  readonly id: number;
  readonly thread: number;
  readonly tsx: boolean;
  readonly runsFrom: string;
  readonly moduleUrl: string;
}

describe("a user's .ts algorithm on the cluster runner, skyloom compiled", () => {
  it('is compiled once into the cache and imported by every worker host with no tsx registered in the host', async () => {
    const build = pathToFileURL(compiledBuild(repo)).href;
    const driver = join(repo, 'test/runners/cluster/fixtures/run-ts-probe.mjs');
    // A few seconds here (two worker threads); the limit is for a loaded machine.
    const { stdout } = await run(process.execPath, [driver, build], { env, timeout: 120_000 });
    const { output, mainTsx } = JSON.parse(stdout) as { output: Probe[]; mainTsx: boolean };
    const source = join(repo, 'test/runners/cluster/fixtures/ts-host-probe.ts');
    expect(mainTsx).toBe(false);
    expect(output.map((p) => p.id)).toStrictEqual([0, 1, 2, 3]);
    expect(new Set(output.map((p) => p.thread))).not.toContain(0); // every sensor ran on a worker host
    for (const probe of output) {
      expect(probe.tsx).toBe(false);
      expect(probe.runsFrom).toMatch(/\/node_modules\/\.cache\/skyloom\/ts\/[0-9a-f]{40}\/test\/runners\/cluster\/fixtures\/ts-host-probe\.ts\.mjs$/);
      expect(probe.moduleUrl).toBe(pathToFileURL(source).href); // what the run records and resume loads
    }
  });
});
