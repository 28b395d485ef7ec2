import { describe, expect, it } from 'vitest';
import type { Reply } from '../../../lib/activator.ts';
import { ErrorCode } from '../../../lib/errors.ts';
import { StatsRecorder } from '../../../lib/stats.ts';
import type { FailedArrival, GroupDriver, MemberArrival } from '../../../runners/shared/group-driver.ts';
import { runGroup, type GroupOptions } from '../../../runners/shared/run-group.ts';

const atGather: MemberArrival = { kind: 'gather', value: 1, centralSite: 'sum:abc', perMember: false, site: 'gather#1' };

/**
 * A driver whose members' steps the test settles by hand, and whose waiting members it can fail (as a
 * lost cluster host does). It logs what the group asks of it.
 */
class ScriptedDriver implements GroupDriver {
  readonly paths: readonly string[];
  readonly log: string[] = [];
  readonly #steps = new Map<number, (arrival: MemberArrival) => void>();
  readonly #watches = new Map<number, (arrival: FailedArrival) => void>();
  #central: Promise<Reply>;

  constructor(size: number, central: Promise<Reply> = Promise.resolve({ ok: true, value: 'model' })) {
    this.paths = Array.from({ length: size }, (_, i) => `root/member:${i}`);
    this.#central = central;
  }

  toCollective(i: number, _reply: Reply): Promise<MemberArrival> {
    this.log.push(`step ${i}`);
    return new Promise((resolve) => this.#steps.set(i, resolve));
  }

  central(_values: unknown[]): Promise<Reply> {
    this.log.push('central');
    return this.#central;
  }

  async cancel(i: number): Promise<void> {
    this.log.push(`cancel ${i}`);
    this.#steps.get(i)?.({ kind: 'cancelled' });
  }

  watchWaiting(i: number, onFailed: (arrival: FailedArrival) => void): () => void {
    this.#watches.set(i, onFailed);
    return () => {
      this.log.push(`unwatch ${i}`);
      this.#watches.delete(i);
    };
  }

  /** Ends member `i`'s step with `arrival`. */
  settle(i: number, arrival: MemberArrival): void {
    this.#steps.get(i)?.(arrival);
    this.#steps.delete(i);
  }

  /** Fails member `i` where it waits; false if nobody watches it. */
  failWaiting(i: number, message: string): boolean {
    const onFailed = this.#watches.get(i);
    onFailed?.({ kind: 'failed', error: new Error(message), site: 'gather#1' });
    return onFailed !== undefined;
  }
}

const options = (): GroupOptions => ({ group: 'root/member', concurrent: true, signal: new AbortController().signal, emit: () => {}, stats: new StatsRecorder() });
/** Lets every pending promise reaction run. */
const turns = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const failureOf = (group: Promise<unknown>) => group.then(() => expect.unreachable('the group should fail'), (e: unknown) => e as Error & { code: string; unitPath: string; cause: Error });

describe('runGroup with a driver that watches waiting members', () => {
  it('fails the group as soon as a waiting member fails, cancelling the members above it still running', async () => {
    const driver = new ScriptedDriver(3);
    const group = runGroup(driver, options());
    await turns();
    driver.settle(0, atGather);
    driver.settle(1, atGather);
    await turns();
    expect(driver.failWaiting(1, 'host 1 lost')).toBe(true);
    const error = await failureOf(group);
    expect(error).toMatchObject({ code: ErrorCode.UnitFailed, unitPath: 'root/member:1', site: 'gather#1' });
    expect(error.cause.message).toBe('host 1 lost');
    expect(driver.log).not.toContain('central');
    expect(driver.log).toContain('cancel 2'); // member 2 never finished its step
    expect(driver.log).toContain('cancel 0');
  });

  it('still lets a member below it reach its pause, and reports that member\'s failure if it fails', async () => {
    const driver = new ScriptedDriver(3);
    const group = runGroup(driver, options());
    await turns();
    driver.settle(1, atGather);
    driver.settle(2, atGather);
    await turns();
    driver.failWaiting(2, 'host 2 lost');
    await turns();
    driver.settle(0, { kind: 'failed', error: new Error('member 0 broke'), site: 'gather#1' });
    const error = await failureOf(group);
    expect(error.unitPath).toBe('root/member:0');
    expect(error.cause.message).toBe('member 0 broke');
  });

  it('does not wait for the central function once a waiting member fails while it runs', async () => {
    const driver = new ScriptedDriver(2, new Promise<Reply>(() => {}));
    const group = runGroup(driver, options());
    await turns();
    driver.settle(0, atGather);
    driver.settle(1, atGather);
    await turns();
    expect(driver.log).toContain('central');
    driver.failWaiting(1, 'host 1 lost during central');
    const error = await failureOf(group);
    expect(error.unitPath).toBe('root/member:1');
    expect(error.cause.message).toBe('host 1 lost during central');
  });

  it('stops watching members once they are resumed, and returns the outputs as before', async () => {
    const driver = new ScriptedDriver(2);
    const group = runGroup(driver, options());
    await turns();
    driver.settle(0, atGather);
    driver.settle(1, atGather);
    await turns();
    expect(driver.log).toStrictEqual(['step 0', 'step 1', 'central', 'unwatch 0', 'unwatch 1', 'step 0', 'step 1']);
    expect(driver.failWaiting(0, 'too late')).toBe(false); // a failure now shows in the member's step
    driver.settle(0, { kind: 'returned', value: 'a', site: 'end' });
    driver.settle(1, { kind: 'returned', value: 'b', site: 'end' });
    expect(await group).toStrictEqual(['a', 'b']);
  });
});
