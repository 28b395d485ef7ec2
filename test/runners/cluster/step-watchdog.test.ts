import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, type SkyloomError } from '../../../lib/errors.ts';
import type { HostHandle } from '../../../runners/cluster/host-handle.ts';
import { callToken, HostStepWatch } from '../../../runners/cluster/step-watchdog.ts';

/** A host without a gauge (as a Slurm host process): steps are timed from the call. */
function fakeHost(): { host: HostHandle; stops: { token: number | undefined; error: SkyloomError }[] } {
  const stops: { token: number | undefined; error: SkyloomError }[] = [];
  const host = { id: 3, lost: undefined, gauge: undefined, stop: (token: number | undefined, failure: () => SkyloomError) => stops.push({ token, error: failure() }) };
  return { host: host as unknown as HostHandle, stops };
}

describe('HostStepWatch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('stops the host once, for the oldest step still unanswered when it runs over, with one timer for many steps', () => {
    const { host, stops } = fakeHost();
    const watch = new HostStepWatch(host);
    const first = { path: 'root/s:0', site: 'gather#1', kind: 'step' } as const;
    const second = { path: 'root/s:1', site: 'gather#1', kind: 'step' } as const;
    const unwatchFirst = watch.watch(first, 1000);
    vi.advanceTimersByTime(400);
    watch.watch(second, 1000);
    expect(vi.getTimerCount()).toBe(1);
    unwatchFirst(); // answered in time
    vi.advanceTimersByTime(1000); // the first's deadline has passed; the second has run 1000 ms
    vi.advanceTimersByTime(400);
    expect(stops).toHaveLength(1);
    expect(stops[0]?.token).toBe(callToken(second));
    expect(stops[0]?.error.code).toBe(ErrorCode.StepTimeout);
    expect(stops[0]?.error.message).toContain('root/s:1');
  });

  it('leaves no timer behind once every step it timed has settled', () => {
    const { host, stops } = fakeHost();
    const watch = new HostStepWatch(host);
    const unwatch = [0, 1, 2].map((i) => watch.watch({ path: `root/s:${i}`, site: 'start', kind: 'step' }, 500));
    for (const stop of unwatch) stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2000);
    expect(stops).toHaveLength(0);
  });
});
