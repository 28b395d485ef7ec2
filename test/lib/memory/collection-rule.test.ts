import { describe, expect, it } from 'vitest';
import { CollectionRule, type CollectionOptions } from '../../../lib/memory/collection-rule.ts';

const MiB = 1024 * 1024;
const budget = 64 * MiB;

/** A rule over a fake store and a fake process: `buffers` is what process.memoryUsage().arrayBuffers would say. */
function setup(options: CollectionOptions = {}) {
  const state = { resident: 32 * MiB, disk: 0, buffers: 40 * MiB, young: 0, full: 0, onFull: 0 };
  const rule = new CollectionRule(
    budget,
    { resident: () => state.resident, disk: () => state.disk },
    { gc: () => void state.full++, youngGc: () => void state.young++, bufferBytes: () => state.buffers, ...options },
    () => void state.onFull++,
  );
  return { rule, state };
}

describe('CollectionRule', () => {
  it('runs a young collection at a step start once collectAfter of the budget was let go of, and none before', () => {
    const { rule, state } = setup();
    rule.released(15 * MiB);
    rule.maybeCollect(true);
    expect(state.young).toBe(0);
    rule.released(1 * MiB); // 16 MiB = 0.25 × 64 MiB
    rule.maybeCollect(true);
    expect([state.young, state.full]).toEqual([1, 0]);
    rule.maybeCollect(true); // nothing let go of since
    expect(rule.stats).toMatchObject({ count: 1, full: 0 });
  });

  it('within a step waits for collectWithinStep of the budget, so a step ages what it allocated at most once', () => {
    const { rule, state } = setup();
    rule.released(48 * MiB);
    rule.maybeCollect(false);
    expect(state.young).toBe(0);
    rule.released(16 * MiB);
    rule.maybeCollect(false);
    expect(state.young).toBe(1);
  });

  it('makes it a full collection when the buffers outside the store grew garbageAfter of the budget past the last baseline', () => {
    const { rule, state } = setup();
    // 8 MiB live outside the store when the rule began (40 - 32): the baseline.
    state.buffers += 16 * MiB; // 16 MiB garbage that young collections do not free: not more than 0.25 × budget
    rule.released(16 * MiB);
    rule.maybeCollect(true);
    expect([state.young, state.full]).toEqual([1, 0]);
    state.buffers += 1; // now more
    rule.released(16 * MiB);
    rule.maybeCollect(true);
    expect([state.young, state.full, state.onFull]).toEqual([2, 1, 1]);
    // The full collection sets a new baseline from what is outside the store after it.
    rule.released(16 * MiB);
    rule.maybeCollect(true);
    expect(state.full).toBe(1);
    expect(rule.stats).toMatchObject({ count: 3, full: 1 });
  });

  it('makes it a full collection when the spill files grew diskAfter of the budget, so unreachable refs and their files are found', () => {
    const { rule, state } = setup({ diskAfter: 2 });
    state.disk = 128 * MiB;
    rule.released(16 * MiB);
    rule.maybeCollect(true);
    expect(state.full).toBe(0);
    state.disk += 1;
    rule.released(16 * MiB);
    rule.maybeCollect(true);
    expect([state.full, state.onFull]).toEqual([1, 1]);
  });

  it('runs only full collections with youngGc null, none with gc null or collectAfter Infinity, none below collectMinBytes', () => {
    const full = setup({ youngGc: null });
    full.rule.released(16 * MiB);
    full.rule.maybeCollect(true);
    expect([full.state.young, full.state.full]).toEqual([0, 1]);
    for (const options of [{ gc: null }, { collectAfter: Infinity }, { collectMinBytes: 1024 * MiB }] as CollectionOptions[]) {
      const { rule, state } = setup(options);
      rule.released(512 * MiB);
      rule.maybeCollect(true);
      rule.maybeCollect(false);
      expect([state.young, state.full, rule.stats.count]).toEqual([0, 0, 0]);
    }
  });

  it('never throws when an injected collector does', () => {
    const { rule } = setup({
      youngGc: () => {
        throw new Error('boom');
      },
      gc: () => {
        throw new Error('boom');
      },
      garbageAfter: 0,
    });
    rule.released(16 * MiB);
    expect(() => rule.maybeCollect(true)).not.toThrow();
    expect(rule.stats.count).toBe(1);
  });
});
