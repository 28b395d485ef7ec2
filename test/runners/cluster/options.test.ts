import { describe, expect, it } from 'vitest';
import { clusterSettings, defaultStepTimeoutMs } from '../../../runners/cluster/options.ts';

describe('clusterSettings: the step timeout', () => {
  it('defaults to 30 minutes, so a member that never yields or never settles ends the run instead of hanging it', () => {
    expect(defaultStepTimeoutMs).toBe(30 * 60_000);
    expect(clusterSettings({ workers: 1 }).stepTimeoutMs).toBe(defaultStepTimeoutMs);
  });

  it('takes a limit in milliseconds, and Infinity for none', () => {
    expect(clusterSettings({ workers: 1, stepTimeoutMs: 1500 }).stepTimeoutMs).toBe(1500);
    expect(clusterSettings({ workers: 1, stepTimeoutMs: Infinity }).stepTimeoutMs).toBeUndefined();
  });

  it('refuses a limit that is not a positive number, saying what it expected and got', () => {
    for (const bad of [0, -5, Number.NaN, '10s']) {
      expect(() => clusterSettings({ workers: 1, stepTimeoutMs: bad as number })).toThrow(expect.objectContaining({ code: 'SKY_INVALID_ARGUMENT', message: expect.stringContaining('a positive number of milliseconds (Infinity: no limit)') }));
    }
  });
});
