import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { focalPlane, type FocalPlaneParams } from '../../../bench/workload/focal-plane.ts';
import { run, start, type RunEvent } from '../../../lib/index.ts';
import { inlineRunner, slurmRunner } from '../../../runners/index.ts';
import { differenceOfRunner } from '../../property/check.ts';
import { programArb } from '../../property/program-arb.ts';
import { propertyParameters } from '../../property/settings.ts';
import { nestedRoot } from '../cluster/fixtures/cluster-algorithms.ts';
import { slowRoot, snoopRoot, type Snoop } from './fixtures/slurm-algorithms.ts';
import { useLocalSlurm } from './local-slurm.ts';
import { useTempDir } from '../../fixtures/temp-dir.ts';

useLocalSlurm();

const tempDir = useTempDir('slurm');

const slurm = (options: Parameters<typeof slurmRunner>[0] = {}) => slurmRunner({ tasks: 2, listen: '127.0.0.1', heartbeatTimeout: 10_000, ...options });
const opts = (runner = slurm()) => ({ runner, runDir: join(tempDir(), 'run'), seed: 7 });
const focal: FocalPlaneParams = { sensors: 6, width: 64, height: 64, rounds: 3, cpuPasses: 1 };

/** The pid of the first host process a child of `slowRoot` reported (waits up to a minute). */
async function firstPid(pidDir: string): Promise<number> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    const pid = (await readdir(pidDir)).map(Number).find((p) => p !== process.pid);
    if (pid !== undefined) return pid;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no child reported its host process within a minute');
}

describe('slurmRunner on a local Slurm cluster', () => {
  it('returns what inline returns on the focal-plane workload, bit for bit, with the same stats, across two nodes', async () => {
    const inline = await run(focalPlane, focal, opts(inlineRunner()));
    const slurmRun = await run(focalPlane, focal, opts());
    expect(slurmRun.output).toStrictEqual(inline.output);
    expect(slurmRun.stats.units).toBe(inline.stats.units);
    expect(slurmRun.stats.primitives).toStrictEqual(inline.stats.primitives);
    expect(slurmRun.stats.collectives).toBe(inline.stats.collectives);
  });

  it('moves refs between host processes (nested scatters) and returns what inline returns', async () => {
    const strip = (out: unknown) => (out as { sums: number[]; means: number[] }[]).map(({ sums, means }) => ({ sums, means }));
    const inline = await run(nestedRoot, 3, opts(inlineRunner()));
    const slurmRun = await run(nestedRoot, 3, opts());
    expect(strip(slurmRun.output)).toStrictEqual(strip(inline.output));
  });

  it('completes with identical output when one host process is killed mid-run, retrying its units on the other task', async () => {
    const input = { n: 4, pidDir: join(tempDir(), 'pids'), ms: 1500 };
    await mkdir(input.pidDir);
    const inline = await run(slowRoot, { ...input, ms: 0 }, opts(inlineRunner()));
    const job = start(slowRoot, input, opts(slurm({ retries: 1 })));
    const events: RunEvent[] = [];
    job.events.subscribe((e) => events.push(e));
    process.kill(await firstPid(input.pidDir), 'SIGKILL');
    const result = await job.result;
    expect(result.output).toStrictEqual(inline.output);
    const retries = events.filter((e) => e.type === 'warning' && e.code === 'SKY_HOST_LOST');
    expect(retries.length).toBeGreaterThanOrEqual(1);
  });

  it('drops a host process that stops answering (a frozen or vanished node) after the heartbeat timeout and completes on the other task', async () => {
    const input = { n: 4, pidDir: join(tempDir(), 'pids'), ms: 1500 };
    await mkdir(input.pidDir);
    const inline = await run(slowRoot, { ...input, ms: 0 }, opts(inlineRunner()));
    const job = start(slowRoot, input, opts(slurm({ retries: 1, heartbeatTimeout: 3_000 })));
    const victim = await firstPid(input.pidDir);
    process.kill(victim, 'SIGSTOP'); // alive, connection open, silent: only the heartbeat can tell
    const stoppedAt = Date.now();
    let droppedAt = 0;
    job.events.subscribe((e) => {
      if (e.type !== 'warning' || e.code !== 'SKY_HOST_LOST' || droppedAt) return;
      droppedAt = Date.now();
      process.kill(victim, 'SIGKILL'); // a stopped process cannot exit by itself; srun then ends its task
    });
    try {
      const result = await job.result;
      expect(result.output).toStrictEqual(inline.output);
      expect(droppedAt - stoppedAt).toBeGreaterThanOrEqual(2_000);
      expect(droppedAt - stoppedAt).toBeLessThan(30_000);
    } finally {
      try {
        process.kill(victim, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('refuses and logs a connection without the run secret, and keeps the secret from user code on the hosts', async () => {
    const job = start(snoopRoot, null, opts());
    const events: RunEvent[] = [];
    job.events.subscribe((e) => events.push(e));
    const snoop = (await job.result).output as Snoop;
    expect(snoop.coordinator).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(snoop.secretInEnv).toBe(false);
    expect(snoop.wrongSecretRefused).toBe(true);
    const refused = events.filter((e) => e.type === 'warning' && e.code === 'SKY_HOST_REFUSED');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ message: expect.stringContaining('did not carry the run secret') });
  });

  it('computes what inline computes on a sample of random programs (the property suite, pinned seed)', async () => {
    const runner = slurm();
    const property = fc.asyncProperty(programArb(), async (program) => {
      const difference = await differenceOfRunner(runner, program);
      if (difference) throw new Error(`slurm disagrees with inline: ${difference}`);
    });
    await expect(fc.assert(property, propertyParameters('equivalence/slurm', { ci: 6, soak: 60, pinnedSeed: 20261206 }))).resolves.toBeUndefined();
  }, 240_000);
});
