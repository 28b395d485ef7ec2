import { describe, expect, it } from 'vitest';
import { FinishQueue } from '../../../lib/memory/finish-queue.ts';

describe('FinishQueue', () => {
  it('runs at most `concurrency` tasks at once, and skipQueued settles the rest with false without running them', async () => {
    const queue = new FinishQueue(1);
    const ran: number[] = [];
    let release!: () => void;
    const first = queue.schedule(() => new Promise<void>((resolve) => (release = () => (ran.push(1), resolve()))));
    const second = queue.schedule(async () => void ran.push(2));
    const third = queue.schedule(async () => void ran.push(3));
    expect(queue.pending).toBe(3);
    queue.skipQueued();
    await expect(second).resolves.toBe(false);
    await expect(third).resolves.toBe(false);
    expect(queue.pending).toBe(1); // the running one goes on
    release();
    await expect(first).resolves.toBe(true);
    await queue.drained();
    expect(ran).toEqual([1]);
  });
});
