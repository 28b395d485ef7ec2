import { describe, expect, it } from 'vitest';
import { IoTracker } from '../../../lib/memory/io-tracker.ts';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('IoTracker', () => {
  it('is busy while an operation is in flight and counts overlapping ones once', async () => {
    const tracker = new IoTracker();
    expect(tracker.busy).toBe(false);
    const t0 = performance.now();
    const both = Promise.all([tracker.track(after(40, 'a')), tracker.track(after(40, 'b'))]);
    expect(tracker.busy).toBe(true);
    expect(await both).toEqual(['a', 'b']);
    const elapsed = performance.now() - t0;
    expect(tracker.busy).toBe(false);
    expect(tracker.busyMs).toBeGreaterThanOrEqual(35);
    // Two operations over the same stretch count once: never more than the time that passed (their
    // sum would be about twice it), however slow a loaded machine makes the timers.
    expect(tracker.busyMs).toBeLessThanOrEqual(elapsed + 1);
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
