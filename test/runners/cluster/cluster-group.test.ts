import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, run, start } from '../../../lib/index.ts';
import { clusterRunner, inlineRunner } from '../../../runners/index.ts';
import { waitingRoot, type WaitingLossInput } from './fixtures/waiting-loss-algorithms.ts';
import { useTempDir } from '../../fixtures/temp-dir.ts';

const tempDir = useTempDir('cluster-group');

type Failure = Error & { code?: string; unitPath?: string; site?: string; cause?: Failure };

/** When the run rejected, and with what. */
async function rejection(result: Promise<unknown>): Promise<{ error: Failure; at: number }> {
  try {
    await result;
  } catch (error) {
    return { error: error as Failure, at: Date.now() };
  }
  throw new Error('expected the run to fail');
}

// Three hosts: the root and member 0 on host 0, member 1 on host 1, member 2 on host 2 (least loaded,
// lowest id first), so the dying host and the busy host are never the same.
const opts = (retries = 0) => ({ runner: clusterRunner({ workers: 3, retries }), runDir: join(tempDir(), 'run'), seed: 11 });
// The sibling's long step outlasts the bound below by far, and the bound is 30x the ~0.5 s a run takes
// to reject (so a loaded machine cannot make it fail): waiting for the long step would break it.
const longMs = 60_000;
const reportedWithinMs = 15_000;
const input = (dieAt: number, longAt: number): WaitingLossInput & { members: number } => ({
  members: 3,
  dieAt,
  dieAfterMs: 300,
  marker: join(tempDir(), 'died'),
  longAt,
  longMs,
});
const diedAt = (): number => Number(readFileSync(join(tempDir(), 'died'), 'utf8'));

describe('runClusterGroup when a host is lost while its unit waits at a gather', () => {
  it('fails the run with SKY_HOST_LOST naming that unit at once, without waiting for a sibling\'s long step', async () => {
    const { error, at } = await rejection(run(waitingRoot, input(1, 2), opts()));
    expect(at - diedAt()).toBeLessThan(reportedWithinMs); // the sibling's step still had ~59.7 s to go
    expect(error.code).toBe(ErrorCode.UnitFailed);
    expect(error.unitPath).toBe('root');
    const member = error.cause as Failure;
    expect(member.code).toBe(ErrorCode.UnitFailed);
    expect(member.unitPath).toBe('root/waitingMember:1');
    expect(member.site).toBe('gather#1');
    const lost = member.cause as Failure;
    expect(lost.code).toBe(ErrorCode.HostLost);
    expect(lost.unitPath).toBe('root/waitingMember:1');
    expect(lost.message).toMatch(/worker host 1/);
  });

  it('runs the group again on a fresh host with retries, returning what inline returns', async () => {
    const job = start(waitingRoot, input(1, 2), opts(1));
    const { output, events } = await job.result;
    expect(diedAt()).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'warning' && e.code === ErrorCode.HostLost)).toBe(true);
    const inline = await run(waitingRoot, input(1, 2), { ...opts(), runner: inlineRunner() });
    expect(output).toStrictEqual(inline.output);
  });

  it('does not hang when the dying host holds member 0, whose central function the gather needs, and its parent', async () => {
    const { error, at } = await rejection(run(waitingRoot, input(0, 2), opts()));
    expect(at - diedAt()).toBeLessThan(reportedWithinMs);
    expect(error.code).toBe(ErrorCode.UnitFailed);
    // The root waited at its scatter on the same host: it is lost too, and its scatter's children stopped.
    const lost = error.cause as Failure;
    expect(lost.code).toBe(ErrorCode.HostLost);
    expect(lost.unitPath).toBe('root');
    expect(lost.site).toBe('scatter#1');
  });
});
