import { describe, expect, it } from 'vitest';
import { IoTracker } from '../../../lib/memory/io-tracker.ts';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('IoTracker', () => {
  it('is busy while an operation is in flight and counts overlapping ones once', async () => {
    const tracker = new IoTracker();
    expect(tracker.busy).toBe(false);
    const both = Promise.all([tracker.track(after(40, 'a')), tracker.track(after(40, 'b'))]);
    expect(tracker.busy).toBe(true);
    expect(await both).toEqual(['a', 'b']);
    expect(tracker.busy).toBe(false);
    expect(tracker.busyMs).toBeGreaterThanOrEqual(35);
    expect(tracker.busyMs).toBeLessThan(75); // two overlapping 40 ms operations: one stretch, not 80 ms
  });

  it('passes a rejection through, and settles only once operations started while waiting are done too', async () => {
    const tracker = new IoTracker();
    await expect(tracker.track(Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    const order: string[] = [];
    void tracker.track(after(10, 0)).then(() => {
      order.push('first');
      void tracker.track(after(10, 0)).then(() => order.push('second'));
    });
    let waits = 0;
    await tracker.settled(() => waits++);
    expect(order).toEqual(['first', 'second']);
    expect(waits).toBeGreaterThanOrEqual(2);
    expect(tracker.busy).toBe(false);
  });
});
