// Fault matrix, cluster step timeouts (docs/architecture/faults-runners.md): a member that never ends
// its step — busy, sleeping forever, awaiting a promise that never settles, or whose central function
// never settles — fails with SKY_STEP_TIMEOUT instead of hanging the run; its host thread is replaced.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, run, scatter, SkyloomTypeError } from '../../lib/index.ts';
import { clusterRunner } from '../../runners/index.ts';
import { catchingRoot, hangingMember, hangingRoot, type Hang } from './fixtures/hang-algorithms.ts';
import { useTempDir } from '../fixtures/temp-dir.ts';

const tempDir = useTempDir('step-timeout');

type Failure = Error & { code?: string; unitPath?: string; site?: string; cause?: Failure };

async function failure(result: Promise<unknown>): Promise<Failure> {
  return result.then(
    () => expect.unreachable('the run should fail') as never,
    (error: unknown) => error as Failure,
  );
}

/** Every error in the cause chain, outermost first. */
function chain(error: Failure | undefined): Failure[] {
  const all: Failure[] = [];
  for (let e = error; e !== undefined && all.length < 16; e = e.cause) all.push(e);
  return all;
}

const limitMs = 1_000;
const opts = (stepTimeoutMs: number | undefined = limitMs) => ({
  runner: clusterRunner({ workers: 2, ...(stepTimeoutMs === undefined ? {} : { stepTimeoutMs }) }),
  runDir: join(tempDir(), 'run'),
});
const workerResources = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'MessagePort').length;

describe('a cluster step over the step timeout', () => {
  const hangs: Hang[] = ['busy', 'sleeping', 'never-settles'];
  for (const hang of hangs) {
    it(`fails the member with SKY_STEP_TIMEOUT naming it, the limit and the time it ran (${hang}), and leaves no thread or port behind`, async () => {
      const error = await failure(run(hangingRoot, { hang, at: 1, members: 3 }, opts()));
      expect(error.code).toBe(ErrorCode.UnitFailed);
      const member = error.cause as Failure;
      expect(member).toMatchObject({ code: ErrorCode.UnitFailed, unitPath: 'root/hangingMember:1' });
      const timeout = member.cause as Failure;
      expect(timeout).toMatchObject({ code: ErrorCode.StepTimeout, unitPath: 'root/hangingMember:1', site: 'start' });
      const ran = Number(/ran (\d+) ms, over the step timeout of 1000 ms/.exec(timeout.message)?.[1]);
      expect(ran).toBeGreaterThanOrEqual(limitMs);
      expect(workerResources()).toBe(0);
    });
  }

  it('replaces the host: the parent catches the failure and its next scatter runs on the hosts left and the new one', async () => {
    const { output } = await run(catchingRoot, { hang: 'busy', at: 1, members: 3 }, opts());
    expect(output).toStrictEqual({ caught: ErrorCode.StepTimeout, again: [3, 3, 3] });
  });

  it('times a central function that never settles too, and the run ends', async () => {
    const error = await failure(run(hangingRoot, { hang: 'central-never-settles', at: 0, members: 3 }, opts()));
    const timeout = chain(error).find((e) => e.code === ErrorCode.StepTimeout);
    expect(timeout?.unitPath).toBe('root/hangingMember:0');
    expect(timeout?.message).toMatch(/central function at gather#1 ran \d+ ms, over the step timeout of 1000 ms/);
  });

  it("counts a step from when its host starts it: work queued behind a sibling's long step on the same host is not timed out", async () => {
    // Members 0, 2 and 4 share host 0 and each sleeps 600 ms in its first step: member 4's step ends
    // ~1.8 s after it was sent, over the 1.5 s limit, yet each ran only ~0.6 s.
    const { output } = await run(hangingRoot, { hang: 'none', at: -1, members: 5, workMs: 600 }, opts(1_500));
    expect(output).toStrictEqual([5, 5, 5, 5, 5]);
  });

  it("lets a scatter's stepTimeoutMs override the run's, for the groups under it", async () => {
    const error = await failure(run(hangingRoot, { hang: 'never-settles', at: 1, members: 2, scatterTimeoutMs: 500 }, opts(undefined)));
    expect(chain(error).find((e) => e.code === ErrorCode.StepTimeout)?.message).toMatch(/over the step timeout of 500 ms/);
    const slow = await run(hangingRoot, { hang: 'none', at: -1, members: 2, workMs: 1_000, scatterTimeoutMs: 60_000 }, opts(250));
    expect(slow.output).toStrictEqual([2, 2]);
  });

  it('rejects a step timeout that is not a positive number of milliseconds, where it is given', () => {
    expect(() => clusterRunner({ stepTimeoutMs: 0 })).toThrow(SkyloomTypeError);
    expect(() => clusterRunner({ stepTimeoutMs: Number.NaN })).toThrow(/stepTimeoutMs: expected a positive number of milliseconds/);
    expect(() => scatter(hangingMember, [], { stepTimeoutMs: -1 }).next()).toThrow(/scatter options.stepTimeoutMs/);
  });
});
