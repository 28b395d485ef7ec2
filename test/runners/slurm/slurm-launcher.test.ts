import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { focalPlane } from '../../../bench/workload/focal-plane.ts';
import { ErrorCode, run, SkyloomTypeError } from '../../../lib/index.ts';
import { slurmRunner } from '../../../runners/index.ts';
import { useTempDir } from '../../fixtures/temp-dir.ts';

// These tests need no Slurm: a stand-in `srun` records how it was called and ends at once.
const tempDir = useTempDir('fake-srun');

async function fakeSrun(): Promise<string> {
  const path = join(tempDir(), 'srun');
  await writeFile(path, `#!/bin/sh\nprintf '%s\\n' "$@" > "${tempDir()}/argv"\nenv > "${tempDir()}/env"\nexit 3\n`);
  await chmod(path, 0o755);
  return path;
}

const params = { sensors: 2, width: 8, height: 8, rounds: 1, cpuPasses: 1 };

describe('slurmRunner without Slurm', () => {
  it('passes the run secret to srun in its environment, never on its command line, and fails (not hangs) when srun ends before its tasks connect', async () => {
    const runner = slurmRunner({ tasks: 3, nodes: 2, partition: 'debug', srunArgs: ['--time=5'], listen: '127.0.0.1', srun: await fakeSrun() });
    const failure = await run(focalPlane, params, { runner, runDir: join(tempDir(), 'run') }).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    const chain: (Error & { code?: string })[] = [];
    for (let e: unknown = failure; e instanceof Error && chain.length < 10; e = e.cause) chain.push(e);
    expect(chain.map((e) => e.code)).toContain(ErrorCode.HostLost);
    expect(chain.map((e) => e.message).join(' / ')).toMatch(/srun ended \(exit code 3\) before its task connected/);
    const argv = (await readFile(join(tempDir(), 'argv'), 'utf8')).trim().split('\n');
    expect(argv.slice(0, 6)).toStrictEqual(['--ntasks=3', '--nodes=2', '--partition=debug', '--kill-on-bad-exit=0', '--job-name=skyloom', '--time=5']);
    expect(argv.at(-1)).toMatch(/runners\/slurm\/host-process\.mjs$/);
    const env = await readFile(join(tempDir(), 'env'), 'utf8');
    const secret = /^SKYLOOM_RUN_SECRET=(.+)$/m.exec(env)?.[1];
    expect(secret?.length).toBeGreaterThanOrEqual(40);
    expect(argv.join(' ')).not.toContain(secret);
    expect(env).toMatch(/^SKYLOOM_COORDINATOR=127\.0\.0\.1:\d+$/m);
  });

  it('rejects bad options with SkyloomTypeError when the runner is made', () => {
    expect(() => slurmRunner({ tasks: 0 })).toThrow(SkyloomTypeError);
    expect(() => slurmRunner({ tasks: 1.5 })).toThrow(/tasks: expected a positive integer, got number 1.5/);
    expect(() => slurmRunner({ srunArgs: '--time=5' as never })).toThrow(/srunArgs: expected an array of strings/);
    expect(() => slurmRunner({ partition: '' })).toThrow(/partition: expected a non-empty string/);
    expect(() => slurmRunner({ retries: -1 })).toThrow(/retries/);
    expect(() => slurmRunner({ memoryBudget: 'lots' })).toThrow(SkyloomTypeError);
  });
});
