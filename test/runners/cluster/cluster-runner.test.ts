import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { focalPlane, type FocalPlaneParams } from '../../../bench/workload/focal-plane.ts';
import { ErrorCode, run, start, type RunEvent } from '../../../lib/index.ts';
import { clusterRunner, inlineRunner } from '../../../runners/index.ts';
import {
  crashingRoot,
  failingRoot,
  hiddenRoot,
  mismatchRoot,
  mutatingRoot,
  nestedRoot,
  uncloneableRoot,
} from './fixtures/cluster-algorithms.ts';
import { jsRoot } from './fixtures/js-root.ts';
import { useTempDir } from '../../fixtures/temp-dir.ts';

const tempDir = useTempDir('cluster');

const opts = (runner = clusterRunner({ workers: 2 })) => ({ runner, runDir: join(tempDir(), 'run'), seed: 7 });
const focal: FocalPlaneParams = { sensors: 6, width: 64, height: 64, rounds: 3, cpuPasses: 1 };

function failureOf(promise: Promise<unknown>): Promise<Error & { code?: string; unitPath?: string; site?: string; cause?: unknown; ref?: string }> {
  return promise.then(
    () => Promise.reject(new Error('expected the run to fail')),
    (error: unknown) => error as Error,
  );
}

function workerResources(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'MessagePort').length;
}

describe('clusterRunner', () => {
  it('returns what inline returns on the focal-plane workload, bit for bit, with the same stats', async () => {
    const inline = await run(focalPlane, focal, opts(inlineRunner()));
    const cluster = await run(focalPlane, focal, opts());
    expect(cluster.output).toStrictEqual(inline.output);
    expect(cluster.stats.units).toBe(inline.stats.units);
    expect(cluster.stats.primitives).toStrictEqual(inline.stats.primitives);
    expect(cluster.stats.collectives).toBe(inline.stats.collectives);
    expect(cluster.stats.peakStoreBytes).toBeGreaterThanOrEqual(6 * 64 * 64 * 4);
  });

  it('runs nested scatters inside workers, moves refs between hosts and spreads children over both hosts', async () => {
    const inline = await run(nestedRoot, 3, opts(inlineRunner()));
    const cluster = await run(nestedRoot, 3, opts());
    const strip = (out: unknown) => (out as { sums: number[]; means: number[] }[]).map(({ sums, means }) => ({ sums, means }));
    expect(strip(cluster.output)).toStrictEqual(strip(inline.output));
    const threads = new Set((cluster.output as { threads: number[] }[]).flatMap((o) => o.threads));
    expect(threads.size).toBe(2);
    expect(threads.has(0)).toBe(false); // not the main thread
  });

  it('puts every host event in the one job stream, in the same per-unit order as inline', async () => {
    const job = start(nestedRoot, 2, opts());
    const seen: RunEvent[] = [];
    job.events.subscribe((e) => seen.push(e));
    await job.result;
    const inline = await run(nestedRoot, 2, opts(inlineRunner()));
    const perUnit = (events: readonly RunEvent[]) => {
      const byPath = new Map<string, string[]>();
      for (const e of events) if ('path' in e && e.type.startsWith('unit-')) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e.type]);
      return Object.fromEntries([...byPath].sort());
    };
    expect(perUnit(seen)).toStrictEqual(perUnit(inline.events));
    expect(seen.filter((e) => e.type === 'collective-completed')).toHaveLength(inline.events.filter((e) => e.type === 'collective-completed').length);
  });

  it('loads algorithms from plain .js modules (as compiled into dist/) as well as from .ts', async () => {
    const inline = await run(jsRoot, 3, opts(inlineRunner()));
    const cluster = await run(jsRoot, 3, opts());
    expect(cluster.output).toStrictEqual(inline.output);
  });

  it('keeps the code, unit path, ref and cause chain of an error thrown in a worker', async () => {
    const error = await failureOf(run(failingRoot, 4, opts()));
    expect(error.code).toBe(ErrorCode.UnitFailed);
    expect(error.unitPath).toBe('root');
    const member = error.cause as typeof error;
    expect(member.code).toBe(ErrorCode.UnitFailed);
    expect(member.unitPath).toBe('root/failingChild:2');
    expect(member.site).toBe('gather#1');
    const thrown = member.cause as typeof error;
    expect(thrown.code).toBe(ErrorCode.UnknownRef);
    expect(thrown.ref).toBe('r-test');
    expect(thrown.message).toBe('child 2 broke');
    expect(thrown.cause).toBeInstanceOf(RangeError);
    expect((thrown.cause as Error).message).toBe('deep cause');
  });

  it('reports mismatched collectives across threads instead of hanging', async () => {
    const error = await failureOf(run(mismatchRoot, 3, opts()));
    const member = error.cause as typeof error;
    expect(member.unitPath).toBe('root/mismatchChild:1');
    expect((member.cause as typeof error).code).toBe(ErrorCode.CollectiveMismatch);
  });

  it('names the path into a scatter input that cannot cross a thread, at the scatter', async () => {
    const { output } = await run(uncloneableRoot, 0, opts());
    expect(output).toMatchObject({ code: ErrorCode.NotCloneable });
    expect((output as { message: string }).message).toContain('scatter inputs[0].sensors[3].fit is function fit');
  });

  it('rejects a run input that cannot cross a thread with the path into it', async () => {
    const error = await failureOf(run(nestedRoot, { sensors: [{ fit: () => 0 }] } as never, opts()));
    expect(error.code).toBe(ErrorCode.NotCloneable);
    expect(error.message).toContain('input.sensors[0].fit');
  });

  it('fails a unit that mutates a borrowed buffer in a worker with SKY_PRISTINE_VIOLATION', async () => {
    const error = await failureOf(run(mutatingRoot, 3, { ...opts(), verify: true }));
    const member = error.cause as typeof error;
    expect(member.unitPath).toBe('root/mutatingChild:1');
    expect((member.cause as typeof error).code).toBe(ErrorCode.PristineViolation);
  });

  it('fails a unit whose algorithm is not exported with SKY_ALGORITHM_NOT_FOUND', async () => {
    const error = await failureOf(run(hiddenRoot, 0, opts()));
    const member = error.cause as typeof error;
    expect((member.cause as typeof error).code).toBe(ErrorCode.AlgorithmNotFound);
    expect((member.cause as Error).message).toContain('does not export an algorithm named hidden');
  });

  it('fails only the units of a worker that exits mid-run; the parent catches it and goes on', async () => {
    const { output } = await run(crashingRoot, { crashAt: 1, how: 'exit', catchIt: true }, opts());
    expect(output).toMatchObject({ caught: ErrorCode.UnitFailed, unit: 'root/crashingChild:1', cause: ErrorCode.HostLost });
    const afterwards = (output as { afterwards: { i: number; total: number }[] }).afterwards;
    expect(afterwards.map((o) => o.i)).toStrictEqual([0, 1, 2, 3]);
  });

  it('fails the run with SKY_HOST_LOST in the cause chain when a worker runs out of memory', async () => {
    const runner = clusterRunner({ workers: 2, resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } });
    const error = await failureOf(run(crashingRoot, { crashAt: 3, how: 'oom', catchIt: false }, opts(runner)));
    const member = error.cause as typeof error;
    // The root's host (host 0, members 0 and 2) survives: only units of host 1 (members 1 and 3) fail.
    // Member 1's last step ran in the same batch as member 3's (one message per host per phase): if the
    // host dies before it answers the batch, member 1's result is lost with it and member 1 fails first.
    expect(['root/crashingChild:1', 'root/crashingChild:3']).toContain(member.unitPath);
    expect((member.cause as typeof error).code).toBe(ErrorCode.HostLost);
    expect((member.cause as Error).message).toMatch(/out of memory|exited/i);
  });

  it('re-runs a group that lost a worker on a fresh host with retries, to success', async () => {
    const marker = join(tempDir(), 'crashed-once');
    const job = start(crashingRoot, { crashAt: 3, how: 'exit', marker, catchIt: false }, opts(clusterRunner({ workers: 2, retries: 1 })));
    const { output, events } = await job.result;
    expect(existsSync(marker)).toBe(true);
    expect((output as { i: number; total: number }[]).map((o) => [o.i, o.total])).toStrictEqual([[0, 4], [1, 4], [2, 4], [3, 4]]);
    expect(events.some((e) => e.type === 'warning' && e.code === ErrorCode.HostLost)).toBe(true);
  });

  it('does not retry without retries: the lost host fails the run', async () => {
    const marker = join(tempDir(), 'crashed-once');
    const error = await failureOf(run(crashingRoot, { crashAt: 3, how: 'exit', marker, catchIt: false }, opts()));
    expect(((error.cause as typeof error).cause as typeof error).code).toBe(ErrorCode.HostLost);
  });

  it('terminates every worker thread at the end of a run, whether it succeeded or failed', async () => {
    const before = workerResources();
    await run(nestedRoot, 1, opts());
    await failureOf(run(failingRoot, 4, opts()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(workerResources()).toBe(before);
  });

  it('rejects bad options at once with expected/got messages', () => {
    expect(() => clusterRunner({ workers: 0 })).toThrow(/workers: expected a positive integer, got number 0/);
    expect(() => clusterRunner({ retries: -1 })).toThrow(/retries: expected a non-negative integer/);
  });
});
