// Fault matrix, buffer memory on the cluster runner (docs/architecture/faults-runners.md): an
// ArrayBuffer allocation storm in one member fails that member with SKY_MEMORY_BUDGET and replaces its
// host; the process, its other hosts and the run go on. Worker resourceLimits do not cap typed arrays.
// Each storm stops by itself at 600 MiB, so a guard that failed would not take the machine down; the
// guard stops it far below (a few hundred MB of RSS at most).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, run, SkyloomTypeError } from '../../lib/index.ts';
import { clusterRunner } from '../../runners/index.ts';
import { stormRoot, type StormInput } from './fixtures/storm-algorithms.ts';
import { useTempDir } from '../fixtures/temp-dir.ts';

const tempDir = useTempDir('storm');

const MiB = 2 ** 20;
const storm = (kind: StormInput['kind']): StormInput => ({ kind, maxBytes: 600 * MiB });

interface Outcome {
  readonly failed?: { code?: string; unitPath?: string; message?: string };
  readonly after?: string[];
}

describe('an ArrayBuffer storm in one cluster member', () => {
  it('that yields its thread now and then: the host publishes its buffers, goes over its limit and is stopped', async () => {
    const runner = clusterRunner({ workers: 2, memoryBudget: '1MB', hostMemoryLimit: '32MiB' });
    const { output } = await run(stormRoot, storm('yielding'), { runner, runDir: join(tempDir(), 'run') });
    const { failed, after } = output as Outcome;
    expect(failed).toMatchObject({ code: ErrorCode.MemoryBudget, unitPath: 'root/stormMember:1' });
    expect(failed?.message).toMatch(/its buffers held [\d.]+ MiB, over the limit of 32.0 MiB per host/);
    expect(after).toStrictEqual(['member 0,survived holding 0 bytes', 'member 0,survived holding 0 bytes']); // the run went on
  });

  it('that never yields its thread: the process RSS passes its ceiling and the thread faulting memory in is stopped', async () => {
    const runner = clusterRunner({ workers: 2, memoryBudget: '1MB', hostMemoryLimit: '1MB' });
    const { output } = await run(stormRoot, storm('busy'), { runner, runDir: join(tempDir(), 'run') });
    const { failed, after } = output as Outcome;
    expect(failed).toMatchObject({ code: ErrorCode.MemoryBudget, unitPath: 'root/stormMember:1' });
    expect(failed?.message).toMatch(/resident memory reached .* over its ceiling/);
    expect(after).toHaveLength(2);
  });

  it('rejects a per-host limit below the host\'s share of the budget, where the runner is made', () => {
    expect(() => clusterRunner({ workers: 2, memoryBudget: '64MB', hostMemoryLimit: '1MB' })).toThrow(SkyloomTypeError);
    expect(() => clusterRunner({ workers: 2, hostMemoryLimit: 'lots' })).toThrow(/hostMemoryLimit/);
  });
});
